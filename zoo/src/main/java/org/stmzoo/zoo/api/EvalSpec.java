package org.stmzoo.zoo.api;

import java.nio.file.Path;

/**
 * An evaluation of an stmzoo checkpoint, as {@code ./stmzoo eval} takes it.
 *
 * @param checkpoint a checkpoint folder (import output, RUN/best, RUN/last) or a run folder (its best, else last)
 * @param data the evaluation data ({@code fashion-mnist}: its test split, {@code cifar10:FOLDER}: its test batch,
 *     or an image folder); null for the data of the run the checkpoint comes from
 * @param ema evaluate the EMA weights of a training checkpoint
 * @param cropPct the evaluation crop, or null for the run's, else the model's
 * @param limit evaluate only the first N images (null: all)
 */
public record EvalSpec(Path checkpoint, String data, boolean ema, Float cropPct, int batchSize, Integer limit) {
  public EvalSpec {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
  }

  /** The checkpoint's weights on its run's data, batch 64. */
  public static EvalSpec of(Path checkpoint) {
    return new EvalSpec(checkpoint, null, false, null, 64, null);
  }

  public EvalSpec withData(String spec) {
    return new EvalSpec(checkpoint, spec, ema, cropPct, batchSize, limit);
  }

  public EvalSpec withLimit(Integer images) {
    return new EvalSpec(checkpoint, data, ema, cropPct, batchSize, images);
  }
}
