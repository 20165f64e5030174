package org.stmzoo.zoo.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import org.stmzoo.layers.core.MacCounter;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Parameters, MACs and per-stage output shapes of a model, measured on the real built graph (batch 1,
 * inference only), so they can never drift from the model itself.
 */
public record ModelFigures(long parameters, long macs, Map<String, String> featureShapes) {
  public double gmacs() {
    return macs / 1e9;
  }

  public static ModelFigures measure(ModelEntry entry, ModelOptions options) {
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, graph, 0L, 1, true);
      Map<String, String> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, Operand<TFloat32>> f : built.model().features().entrySet()) {
        shapes.put(f.getKey(), f.getValue().shape().toString());
      }
      shapes.put("logits", built.output().logits().shape().toString());
      return new ModelFigures(built.model().parameterCount(),
          MacCounter.count(graph, built.output().logits()), shapes);
    }
  }
}
