package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The images the STM analyses ({@link Analyses}) read: a dataset as {@code analyze --data} names it, or an
 * already-normalised batch as {@code analyze --npy} (and {@code predict --npy}) takes it.
 */
public sealed interface AnalysisData {
  /**
   * All images of a dataset's evaluation set ({@link DataSpec#evaluationSet(String)}).
   *
   * @param spec {@code fashion-mnist} (its test split), {@code cifar10:FOLDER} (its test batch) or an image folder
   *     {@code root/CLASS/*.jpg} (its {@code val} folder when it holds {@code train} and {@code val})
   */
  record Dataset(String spec) implements AnalysisData {
    public Dataset {
      Objects.requireNonNull(spec, "AnalysisData.Dataset.spec");
    }
  }

  /**
   * An NHWC float32 batch {@code [N, H, W, C]} normalised with a model's mean and std, mapped back to pixels with
   * each analysed model's own statistics.
   *
   * @param batch the {@code .npy} file of the batch
   * @param labels a {@code .npy} file of its {@code [N]} class indices (float32, int32 or int64), or null for
   *     unlabelled images (accuracies are then NaN, and the attacks refuse them)
   */
  record Npy(Path batch, Path labels) implements AnalysisData {
    public Npy {
      Objects.requireNonNull(batch, "AnalysisData.Npy.batch");
    }
  }

  /** A dataset ({@code analyze --data SPEC}). */
  static AnalysisData dataset(String spec) {
    return new Dataset(spec);
  }

  /** An unlabelled normalised batch ({@code analyze --npy FILE}). */
  static AnalysisData npy(Path batch) {
    return new Npy(batch, null);
  }

  /** A labelled normalised batch ({@code analyze --npy FILE --labels LABELS}). */
  static AnalysisData npy(Path batch, Path labels) {
    return new Npy(batch, Objects.requireNonNull(labels, "labels"));
  }
}
