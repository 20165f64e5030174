package org.stmzoo.layers.mixers;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A tiny graph for layer tests. Instead of initialising variables, every run feeds each variable's read op
 * with values held here (random, larger than the real init so that outputs are far from zero), so tests can
 * read the exact parameters the graph used and perturb them one at a time.
 */
final class TinyGraph implements AutoCloseable {
  final Graph graph = new Graph();
  final ModelGraph model = ModelGraph.create(graph, 11L);
  final Map<ModelVariable, float[]> parameters = new LinkedHashMap<>();
  private final Map<Operand<?>, float[]> inputs = new HashMap<>();
  private final Map<Operand<?>, Shape> inputShapes = new HashMap<>();
  private Session session;

  Ops tf() {
    return model.tf();
  }

  LayerScope scope(String name) {
    return model.root().child(name);
  }

  /** A placeholder fed with {@code data} on every run. */
  Placeholder<TFloat32> input(String name, Shape shape, float[] data) {
    Placeholder<TFloat32> p = tf().withName(name).placeholder(TFloat32.class, Placeholder.shape(shape));
    inputs.put(p, data);
    inputShapes.put(p, shape);
    return p;
  }

  /** Gives every variable created so far values uniform in [-scale, scale]. */
  void randomizeParameters(Random rng, float scale) {
    for (ModelVariable v : model.variables().values()) {
      parameters.put(v, uniform(rng, (int) v.size(), scale));
    }
  }

  float[] parameter(String path) {
    return parameters.entrySet().stream().filter(e -> e.getKey().path().equals(path)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no variable " + path + " in " + model.variables().keySet()))
        .getValue();
  }

  ModelVariable variable(String path) {
    return model.variables().get(path);
  }

  float[] run(Operand<TFloat32> output) {
    return run(List.of(output.asOutput())).get(0);
  }

  /** Evaluates the outputs with the current inputs and parameters. */
  List<float[]> run(List<Output<?>> outputs) {
    if (session == null) {
      session = new Session(graph);
    }
    Session.Runner runner = session.runner();
    List<Tensor> fed = new java.util.ArrayList<>();
    try {
      for (Map.Entry<Operand<?>, float[]> e : inputs.entrySet()) {
        Tensor t = TFloat32.tensorOf(inputShapes.get(e.getKey()), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        runner.feed(e.getKey(), t);
      }
      for (Map.Entry<ModelVariable, float[]> e : parameters.entrySet()) {
        Tensor t = TFloat32.tensorOf(e.getKey().shape(), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        runner.feed(e.getKey().value(), t);
      }
      outputs.forEach(runner::fetch);
      try (Result result = runner.run()) {
        List<float[]> values = new java.util.ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
          TFloat32 t = (TFloat32) result.get(i);
          float[] data = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(data, false, false));
          values.add(data);
        }
        return values;
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /**
   * Gradients of {@code loss} with respect to every trainable variable (their read ops), in
   * {@code model.trainableVariables()} order; an entry is null where the graph has no gradient path.
   */
  Output<?>[] gradients(Operand<TFloat32> loss) {
    Output<?>[] reads = model.trainableVariables().stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
    return graph.addGradients(loss.asOutput(), reads);
  }

  static float[] uniform(Random rng, int n, float scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (rng.nextFloat() * 2 - 1) * scale;
    }
    return out;
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
