package org.stmzoo.zoo.families;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A registry model at 224x224 run with every variable random (seeded, so that layer scales do not hide the mixers)
 * on seeded random images: the same values for every graph form of the same model, and image {@code i} the same
 * pixels whatever the batch size.
 */
final class RandomWeightsRun {
  /** A run's outputs, flattened: logits, pooled features and, for distilled models, the distillation logits. */
  record Outputs(float[] logits, float[] features, float[] distillationLogits) {}

  private RandomWeightsRun() {}

  /**
   * {@code batch} images through {@code name} built as {@code inference}, after {@code graphCheck} saw its op
   * types; the graph's batch is {@code batch} if {@code staticBatch}, else dynamic.
   */
  static Outputs run(String name, ModelGraph.Inference inference, int batch, boolean staticBatch,
      Consumer<Map<String, Integer>> graphCheck) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), ModelOptions.imagenet(), staticBatch ? batch : -1,
          ModelGraph.inferenceOnly(g, 0L, inference));
      Map<String, Integer> types = new HashMap<>();
      g.operations().forEachRemaining(op -> types.merge(((GraphOperation) op).type(), 1, Integer::sum));
      graphCheck.accept(types);
      Random random = new Random(7);
      List<Tensor> fed = new ArrayList<>();
      try (Session session = new Session(g)) {
        Session.Runner runner = session.runner();
        for (ModelVariable v : built.model().variables().values()) {
          TFloat32 t = randomValue(random, v);
          fed.add(t);
          runner.feed(v.value(), t);
        }
        return runOn(runner, built, random, batch, fed);
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }

  /**
   * One image through {@code name} built as {@code inference} with frozen weights ({@link FrozenWeights}): the
   * same random values as {@link #run} feeds, assigned to the variables of a first graph, read back and frozen
   * into the second, whose op types {@code graphCheck} sees. Fails if the second still multiplies by a layer
   * scale (frozen weights carry them in the projections before them).
   */
  static Outputs runFrozen(String name, ModelGraph.Inference inference, Consumer<Map<String, Integer>> graphCheck) {
    Random random = new Random(7);
    try (FrozenWeights weights = randomWeights(name, inference, random); Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), ModelOptions.imagenet(), 1,
          ModelGraph.inferenceOnly(g, 0L, inference, weights));
      Map<String, Integer> types = new HashMap<>();
      g.operations().forEachRemaining(op -> {
        types.merge(op.type(), 1, Integer::sum);
        if (op.type().equals("Mul") && ((GraphOperation) op).inputs().stream()
            .anyMatch(in -> in.op().name().contains(".layer_scale"))) {
          throw new AssertionError(name + ": a layer scale is multiplied, not folded, in " + op.name());
        }
      });
      graphCheck.accept(types);
      List<Tensor> fed = new ArrayList<>();
      try (Session session = new Session(g)) {
        return runOn(session.runner(), built, random, 1, fed);
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }

  private static FrozenWeights randomWeights(String name, ModelGraph.Inference inference, Random random) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), ModelOptions.imagenet(), 1,
          ModelGraph.inferenceOnly(g, 0L, inference));
      ModelGraph model = built.model();
      try (Session session = new Session(g)) {
        for (ModelVariable v : model.variables().values()) {
          try (TFloat32 t = randomValue(random, v)) {
            Placeholder<TFloat32> value = model.tf().placeholder(TFloat32.class, Placeholder.shape(v.shape()));
            session.runner().feed(value, t).addTarget(model.tf().assignVariableOp(v.handle(), value)).run();
          }
        }
        return FrozenWeights.read(session, model);
      }
    }
  }

  private static TFloat32 randomValue(Random random, ModelVariable v) {
    float[] values = new float[Math.toIntExact(v.size())];
    boolean variance = v.path().endsWith("moving_variance");
    for (int i = 0; i < values.length; i++) {
      values[i] = variance ? 0.5f + random.nextFloat() : (random.nextFloat() * 2 - 1) * 0.3f;
    }
    return TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
  }

  /** {@code batch} random images (the next values of {@code random}) fed to {@code runner} and the outputs. */
  private static Outputs runOn(Session.Runner runner, BuiltModel built, Random random, int batch, List<Tensor> fed) {
    float[] pixels = new float[batch * 224 * 224 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    TFloat32 images = TFloat32.tensorOf(Shape.of(batch, 224, 224, 3), DataBuffers.of(pixels, true, false));
    fed.add(images);
    runner.feed(built.images(), images).fetch(built.output().logits()).fetch(built.output().features());
    built.output().distillationLogits().ifPresent(runner::fetch);
    try (Result result = runner.run()) {
      return new Outputs(values(result.get(0)), values(result.get(1)),
          result.size() > 2 ? values(result.get(2)) : null);
    }
  }

  private static float[] values(Tensor tensor) {
    TFloat32 t = (TFloat32) tensor;
    float[] values = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(values, false, false));
    return values;
  }

  /** The largest |a - b| over the first {@code a.length} entries of both, and the largest |a|. */
  static double[] maxDifference(float[] a, float[] b) {
    double scale = 0;
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]));
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return new double[] {max, scale};
  }
}
