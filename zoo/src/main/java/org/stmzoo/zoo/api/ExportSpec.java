package org.stmzoo.zoo.api;

import java.nio.file.Path;
import org.stmzoo.export.SavedModelExporter;

/**
 * What {@link Stmzoo#export(ExportSpec)} writes: {@code model} (its weights, size and classes as {@link ModelSpec}
 * says) as a TF Serving SavedModel in {@code baseDir/<version>/}. The model's {@link ModelSpec#speed} is refused: it
 * is how a model loaded in this process runs; an export's graph shape is this spec's streams and LayerNorm form, and
 * its threads are the serving session's.
 *
 * @param rowStreams the independent chains the serving graph is built as (1: one; N for batch-1 serving with
 *     intra-op 1 and inter-op N threads, see docs/export.md); the same function either way
 * @param batchStreams the parts the serving graph cuts each batch into (1: none; N for serving batches with
 *     intra-op 1 and inter-op N threads); the same function either way
 * @param fusedLayerNorm LayerNorms in the form TF fuses into oneDNN's one-pass kernel on CPUs where its oneDNN
 *     graph passes are on (docs/export.md): the same function in standard ops; for CPU serving
 */
public record ExportSpec(ModelSpec model, Path baseDir, long version, int rowStreams, int batchStreams,
    boolean fusedLayerNorm) {
  public ExportSpec {
    if (model == null || baseDir == null) {
      throw new IllegalArgumentException("an export needs a model and a base directory");
    }
    if (!model.speed().equals(InferenceSpeed.DEFAULT)) {
      // refused rather than dropped in silence: a latency or batches speed has no one meaning for a served graph
      throw new IllegalArgumentException("an export does not take ModelSpec.speed (" + model.speed() + "), which is"
          + " for a model loaded in this process: give the serving graph's shape with ExportSpec.withRowStreams,"
          + " withBatchStreams and withFusedLayerNorm (docs/export.md)");
    }
    SavedModelExporter.requirePositiveVersion(version);
    if (rowStreams < 1) {
      throw new IllegalArgumentException("row streams must be >= 1, got " + rowStreams);
    }
    if (batchStreams < 1) {
      throw new IllegalArgumentException("batch streams must be >= 1, got " + batchStreams);
    }
  }

  /** Version 1, one stream, the element-wise LayerNorm. */
  public static ExportSpec of(ModelSpec model, Path baseDir) {
    return new ExportSpec(model, baseDir, 1, 1, 1, false);
  }

  public ExportSpec withVersion(long value) {
    return new ExportSpec(model, baseDir, value, rowStreams, batchStreams, fusedLayerNorm);
  }

  public ExportSpec withRowStreams(int value) {
    return new ExportSpec(model, baseDir, version, value, batchStreams, fusedLayerNorm);
  }

  public ExportSpec withBatchStreams(int value) {
    return new ExportSpec(model, baseDir, version, rowStreams, value, fusedLayerNorm);
  }

  public ExportSpec withFusedLayerNorm(boolean value) {
    return new ExportSpec(model, baseDir, version, rowStreams, batchStreams, value);
  }
}
