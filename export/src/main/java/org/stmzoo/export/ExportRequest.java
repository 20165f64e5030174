package org.stmzoo.export;

import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Preprocessing;

/**
 * What to export. The export module knows nothing of the model registry: the caller says how to build the
 * classifier and describes it.
 *
 * @param name the model's name, for the card
 * @param reference the reference implementation's name, for the card
 * @param imageSize the side of the square input the classifier is built for
 * @param preprocessing its evaluation preprocessing (mean/std, crop fraction, interpolation)
 * @param classNames one label per class, by index
 * @param classifier builds the classifier's layers (and so its variables) under a scope
 * @param weights the variables' values
 * @param seed the model seed for the random initialisation
 * @param trainingSummary the recipe's summary for the card, or null
 * @param rowStreams the independent chains the graph is built as ({@code ModelGraph.inferenceOnly}); 1 unless
 *     the export is for batch-1 serving with one intra-op thread (the same function either way)
 * @param batchStreams the parts the graph cuts each batch into ({@code ModelGraph.Inference#batchStreams}); 1
 *     unless the export is for serving batches with one intra-op thread and that many inter-op threads
 * @param fusedLayerNorm LayerNorms in the form TF's remapper fuses into oneDNN's one-pass kernel where the serving
 *     TF has oneDNN's graph passes on ({@code OneDnnOps.layerNorm}): standard ops, the same function; for CPU
 *     serving (slower where nothing fuses it, and on a GPU TF may place the CPU-only fused kernel on the GPU)
 */
public record ExportRequest(String name, String reference, int imageSize, Preprocessing preprocessing,
    List<String> classNames, ClassifierBuilder classifier, WeightSource weights, long seed,
    Map<String, Object> trainingSummary, int rowStreams, int batchStreams, boolean fusedLayerNorm) {

  /** The graph an export of this request holds: its streams and LayerNorm form. */
  public ModelGraph.Inference inference() {
    return new ModelGraph.Inference(rowStreams, batchStreams, fusedLayerNorm);
  }

  /** Builds the classifier, creating its variables under {@code root}. */
  @FunctionalInterface
  public interface ClassifierBuilder {
    ImageClassifier build(LayerScope root);
  }

  public ExportRequest {
    classNames = List.copyOf(classNames);
    if (classNames.isEmpty()) {
      throw new IllegalArgumentException("an export needs the class names");
    }
    if (rowStreams < 1) {
      throw new IllegalArgumentException("row streams must be >= 1, got " + rowStreams);
    }
    if (batchStreams < 1) {
      throw new IllegalArgumentException("batch streams must be >= 1, got " + batchStreams);
    }
  }

  public ExportRequest withWeights(WeightSource source) {
    return new ExportRequest(name, reference, imageSize, preprocessing, classNames, classifier, source, seed,
        trainingSummary, rowStreams, batchStreams, fusedLayerNorm);
  }

  public ExportRequest withTrainingSummary(Map<String, Object> summary) {
    return new ExportRequest(name, reference, imageSize, preprocessing, classNames, classifier, weights, seed,
        summary, rowStreams, batchStreams, fusedLayerNorm);
  }

  public ExportRequest withRowStreams(int streams) {
    return new ExportRequest(name, reference, imageSize, preprocessing, classNames, classifier, weights, seed,
        trainingSummary, streams, batchStreams, fusedLayerNorm);
  }

  public ExportRequest withBatchStreams(int streams) {
    return new ExportRequest(name, reference, imageSize, preprocessing, classNames, classifier, weights, seed,
        trainingSummary, rowStreams, streams, fusedLayerNorm);
  }

  public ExportRequest withFusedLayerNorm(boolean fused) {
    return new ExportRequest(name, reference, imageSize, preprocessing, classNames, classifier, weights, seed,
        trainingSummary, rowStreams, batchStreams, fused);
  }

  /** {@code class_0 ... class_{n-1}}, for models trained without named classes. */
  public static List<String> numberedClasses(int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> "class_" + i).toList();
  }
}
