package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;
import org.stmzoo.layers.core.ConfigChecks;

/**
 * An evaluation of an stmzoo checkpoint, as {@code ./stmzoo eval} takes it.
 *
 * @param checkpoint a checkpoint folder (import output, RUN/best, RUN/last) or a run folder (its best, else last)
 * @param data the evaluation data ({@code fashion-mnist}: its test split, {@code cifar10:FOLDER}: its test batch,
 *     or an image folder: its {@code val} folder when it holds {@code train} and {@code val}, else all of it); null
 *     for the validation set of the run the checkpoint comes from, rebuilt as training built it, with its
 *     {@code --limit-val} sample unless {@code limit} is given (refused for a run that had none)
 * @param ema evaluate the EMA weights of a training checkpoint
 * @param cropPct the evaluation crop in (0, 1], or null for the run's, else the model's
 * @param batchSize images per batch, at least 1
 * @param limit evaluate only N images, at least 1 (null: all): a class-stratified sample, drawn with the run's seed
 *     from the run's validation set (the images a run with {@code --limit-val N} validated on), else with seed 0
 */
public record EvalSpec(Path checkpoint, String data, boolean ema, Float cropPct, int batchSize, Integer limit) {
  public EvalSpec {
    Objects.requireNonNull(checkpoint, "EvalSpec.checkpoint");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (cropPct != null) {
      ConfigChecks.fraction("EvalSpec.cropPct", cropPct);
    }
    if (limit != null) {
      ConfigChecks.positive("EvalSpec.limit", limit);
    }
  }

  /** The checkpoint's weights on its run's validation set, batch 64. */
  public static EvalSpec of(Path checkpoint) {
    return new EvalSpec(checkpoint, null, false, null, 64, null);
  }

  public EvalSpec withData(String spec) {
    return new EvalSpec(checkpoint, spec, ema, cropPct, batchSize, limit);
  }

  /** Evaluates the EMA weights of a training checkpoint ({@code eval --ema}). */
  public EvalSpec withEma(boolean value) {
    return new EvalSpec(checkpoint, data, value, cropPct, batchSize, limit);
  }

  /** The evaluation crop in (0, 1], or null for the run's, else the model's ({@code eval --crop-pct}). */
  public EvalSpec withCropPct(Float fraction) {
    return new EvalSpec(checkpoint, data, ema, fraction, batchSize, limit);
  }

  public EvalSpec withBatchSize(int images) {
    return new EvalSpec(checkpoint, data, ema, cropPct, images, limit);
  }

  public EvalSpec withLimit(Integer images) {
    return new EvalSpec(checkpoint, data, ema, cropPct, batchSize, images);
  }
}
