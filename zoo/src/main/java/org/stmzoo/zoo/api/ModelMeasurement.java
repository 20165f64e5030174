package org.stmzoo.zoo.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.stmzoo.zoo.analysis.ModelFigures;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * A model's size and cost at one {@link ModelShape}, counted on its built inference graph at batch 1, so that they
 * cannot drift from the model itself: what {@code ./stmzoo list} and {@code ./stmzoo describe} print.
 *
 * @param shape the shape the model was built for
 * @param parameters the trainable parameters
 * @param macs the multiply-accumulates of one image's forward pass
 * @param outputShapes each stage's output shape, in the order the model computes them, then {@code logits};
 *     e.g. {@code "[1, 7, 7, 384]"}
 */
public record ModelMeasurement(ModelShape shape, long parameters, long macs, Map<String, String> outputShapes) {
  public ModelMeasurement {
    Objects.requireNonNull(shape, "ModelMeasurement.shape");
    Objects.requireNonNull(outputShapes, "ModelMeasurement.outputShapes");
    // Map.copyOf would lose the stages' order, which is the order describe prints them in
    outputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(outputShapes));
  }

  /** Multiply-accumulates in billions, as the tables print them. */
  public double gmacs() {
    return macs / 1e9;
  }

  /** Builds {@code entry} at {@code shape} in a graph of its own and counts. */
  static ModelMeasurement of(ModelEntry entry, ModelShape shape) {
    ModelFigures figures = ModelFigures.measure(entry, shape.options());
    return new ModelMeasurement(shape, figures.parameters(), figures.macs(), figures.featureShapes());
  }
}
