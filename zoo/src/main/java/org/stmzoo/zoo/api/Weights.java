package org.stmzoo.zoo.api;

import java.nio.file.Path;

/**
 * Where a model's weights come from: a random initialisation, an stmzoo checkpoint (an import output, a
 * training run folder or one of its {@code best/}, {@code last/}), or a published release of
 * {@code ./stmzoo pretrained list}, downloaded into the cache on first use.
 */
public sealed interface Weights {
  /** A fresh initialisation; {@code seed} makes it reproducible. */
  record Random(long seed) implements Weights {}

  /**
   * An stmzoo checkpoint or run folder (a run's best weights, else its last).
   *
   * @param ema its EMA weights instead (a training checkpoint written with {@code --model-ema})
   */
  record Checkpoint(Path path, boolean ema) implements Weights {
    public Checkpoint {
      java.util.Objects.requireNonNull(path, "Weights.Checkpoint.path");
    }

    public Checkpoint(Path path) {
      this(path, false);
    }
  }

  /**
   * Published weights: a full tag of the manifest ({@code u-convnext-micro.in1k}) or, with a model name beside
   * it, the tag's suffix ({@code in1k}).
   */
  record Pretrained(String tag) implements Weights {
    public Pretrained {
      java.util.Objects.requireNonNull(tag, "Weights.Pretrained.tag");
    }
  }

  static Weights random() {
    return new Random(0);
  }

  static Weights random(long seed) {
    return new Random(seed);
  }

  static Weights checkpoint(Path path) {
    return new Checkpoint(path);
  }

  /** A training checkpoint's EMA weights (the run trained with {@code --model-ema}). */
  static Weights checkpointEma(Path path) {
    return new Checkpoint(path, true);
  }

  static Weights pretrained(String tag) {
    return new Pretrained(tag);
  }
}
