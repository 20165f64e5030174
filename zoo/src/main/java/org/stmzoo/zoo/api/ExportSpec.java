package org.stmzoo.zoo.api;

import java.nio.file.Path;

/**
 * What {@link Stmzoo#export(ExportSpec)} writes: {@code model} (its weights, size and classes as {@link ModelSpec}
 * says) as a TF Serving SavedModel in {@code baseDir/<version>/}.
 *
 * @param rowStreams the independent chains the serving graph is built as (1: one; N for batch-1 serving with
 *     intra-op 1 and inter-op N threads, see docs/export.md); the same function either way
 */
public record ExportSpec(ModelSpec model, Path baseDir, long version, int rowStreams) {
  public ExportSpec {
    if (model == null || baseDir == null) {
      throw new IllegalArgumentException("an export needs a model and a base directory");
    }
    if (version < 1) {
      throw new IllegalArgumentException("the version must be positive, got " + version);
    }
    if (rowStreams < 1) {
      throw new IllegalArgumentException("row streams must be >= 1, got " + rowStreams);
    }
  }

  /** Version 1, one stream. */
  public static ExportSpec of(ModelSpec model, Path baseDir) {
    return new ExportSpec(model, baseDir, 1, 1);
  }

  public ExportSpec withVersion(long value) {
    return new ExportSpec(model, baseDir, value, rowStreams);
  }

  public ExportSpec withRowStreams(int value) {
    return new ExportSpec(model, baseDir, version, value);
  }
}
