package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * One mixer in its own graph, on a static NHWC input, for tests: runs it with every variable fed from Java
 * arrays (so a test knows every number), and builds the gradients of {@code sum(output * weights)}.
 */
final class MixerHarness implements AutoCloseable {
  final Graph graph = new Graph();
  final ModelGraph model = ModelGraph.create(graph, 7L);
  final Shape inputShape;
  final Placeholder<TFloat32> input;
  final Operand<TFloat32> output;
  /** Every variable's value, random unless a test replaces it; fed on each run. */
  final Map<ModelVariable, float[]> values = new LinkedHashMap<>();
  private final Session session = new Session(graph);
  private final Random random = new Random(11);

  MixerHarness(Shape inputShape, Function<LayerScope, Layer> mixer) {
    this.inputShape = inputShape;
    Ops tf = model.tf();
    input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(inputShape));
    Layer layer = mixer.apply(model.root().child("mixer"));
    output = layer.call(input, model.training());
    for (ModelVariable v : model.variables().values()) {
      values.put(v, random(v.shape().size(), 0.5));
    }
  }

  ModelVariable variable(String name) {
    return model.variables().get("mixer/" + name);
  }

  float[] random(long size, double scale) {
    float[] a = new float[Math.toIntExact(size)];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  float[] randomInput() {
    return random(inputShape.size(), 1.0);
  }

  /** Evaluates {@code outputs} for this input, every variable fed from {@link #values}. */
  List<float[]> run(float[] x, List<Operand<TFloat32>> outputs) {
    List<TFloat32> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      TFloat32 in = TFloat32.tensorOf(inputShape, DataBuffers.of(x, true, false));
      fed.add(in);
      runner.feed(input, in);
      for (Map.Entry<ModelVariable, float[]> e : values.entrySet()) {
        TFloat32 t = TFloat32.tensorOf(e.getKey().shape(), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        runner.feed(e.getKey().value(), t);
      }
      outputs.forEach(runner::fetch);
      try (Result result = runner.run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
          TFloat32 t = (TFloat32) result.get(i);
          float[] a = new float[Math.toIntExact(t.shape().size())];
          t.copyTo(DataBuffers.of(a, false, false));
          out.add(a);
        }
        return out;
      }
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  float[] run(float[] x) {
    return run(x, List.of(output)).get(0);
  }

  /** {@code sum(output * weights)} for fixed weights: a scalar whose gradient reaches everything. */
  Operand<TFloat32> weightedSum(float[] weights) {
    Ops tf = model.tf();
    Operand<TFloat32> w = tf.constant(output.shape(), DataBuffers.of(weights, true, false));
    return tf.sum(tf.math.mul(output, w), tf.constant(new int[] {0, 1, 2, 3}));
  }

  /** d loss / d {input, every trainable variable}, in that order (entries may be null if unconnected). */
  @SuppressWarnings("unchecked")
  List<Operand<TFloat32>> gradients(Operand<TFloat32> loss) {
    List<ModelVariable> trainable = model.trainableVariables();
    Output<?>[] xs = new Output<?>[trainable.size() + 1];
    xs[0] = input.asOutput();
    for (int i = 0; i < trainable.size(); i++) {
      xs[i + 1] = trainable.get(i).value().asOutput();
    }
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (Output<?> g : graph.addGradients(loss.asOutput(), xs)) {
      grads.add((Operand<TFloat32>) g);
    }
    return grads;
  }

  /**
   * Every trainable variable (and the input) gets a gradient of {@code sum(output * random)} that exists and is
   * not identically zero.
   */
  void assertEveryGradientIsNonZero() {
    List<Operand<TFloat32>> grads = gradients(weightedSum(random(output.shape().size(), 1.0)));
    List<String> names = new ArrayList<>(List.of("input"));
    model.trainableVariables().stream().map(ModelVariable::path).forEach(names::add);
    for (int i = 0; i < grads.size(); i++) {
      assertThat(grads.get(i)).as("gradient of %s", names.get(i)).isNotNull();
    }
    List<float[]> values = run(randomInput(), grads);
    for (int i = 0; i < grads.size(); i++) {
      double norm = 0;
      for (float g : values.get(i)) {
        norm += (double) g * g;
      }
      assertThat(norm).as("gradient norm of %s", names.get(i)).isGreaterThan(0);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
