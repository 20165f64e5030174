package org.stmzoo.zoo.registry;

import org.stmzoo.layers.core.BatchStreams;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A model built into a graph: its {@code images} placeholder ({@code [batch, S, S, C]}, normalised NHWC),
 * its outputs and its {@link ModelGraph} (variables, training switch).
 */
public record BuiltModel(ModelEntry entry, ModelOptions options, ModelGraph model, ImageClassifier classifier,
    Placeholder<TFloat32> images, ClassifierOutput output) {

  /**
   * @param staticBatch a fixed batch size (needed to count MACs), or -1 for a dynamic batch
   * @param inferenceOnly build no training branch (training is the constant false)
   */
  public static BuiltModel build(ModelEntry entry, ModelOptions options, Graph graph, long seed, int staticBatch,
      boolean inferenceOnly) {
    return build(entry, options, staticBatch,
        inferenceOnly ? ModelGraph.inferenceOnly(graph, seed) : ModelGraph.create(graph, seed));
  }

  /** Built into {@code model}, a graph made for it (e.g. {@link ModelGraph#inferenceOnly(Graph, long, int)}). */
  public static BuiltModel build(ModelEntry entry, ModelOptions options, int staticBatch, ModelGraph model) {
    entry.checkImageSize(options.imageSize());
    Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(staticBatch, options.imageSize(), options.imageSize(), options.inChannels())));
    ImageClassifier classifier = entry.build(model.root(), options);
    ClassifierOutput output = BatchStreams.call(model, classifier, images);
    return new BuiltModel(entry, options, model, classifier, images, output);
  }

  public static BuiltModel build(ModelEntry entry, ModelOptions options, Graph graph) {
    return build(entry, options, graph, 0L, -1, false);
  }
}
