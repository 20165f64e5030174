package org.stmzoo.zoo.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The micro U-PVT and U-DCNv3 models build and run at several sizes; every parameter trains. */
class UnifiedPvtDcnV3Test {
  private static final int BATCH = 2;
  private static final int CLASSES = 10;

  private static float[] random(int n) {
    Random rng = new Random(1);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  private static TFloat32 images(int size) {
    return TFloat32.tensorOf(Shape.of(BATCH, size, size, 3), DataBuffers.of(random(BATCH * size * size * 3)));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({"u-pvt-micro, 224", "u-pvt-micro, 64", "u-dcnv3-micro, 224", "u-dcnv3-micro, 64"})
  void returnsBatchByClasses(String name, int size) {
    ModelOptions options = ModelOptions.imagenet().withImageSize(size).withNumClasses(CLASSES);
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), options, graph, 0L, BATCH, false);
      assertThat(built.output().logits().shape()).isEqualTo(Shape.of(BATCH, CLASSES));
      try (Session session = new Session(graph); TFloat32 input = images(size)) {
        session.runner().addTarget(built.model().initializer()).run();
        try (Result result = session.runner().feed(built.images(), input).fetch(built.output().logits()).run()) {
          TFloat32 logits = (TFloat32) result.get(0);
          assertThat(logits.shape()).isEqualTo(Shape.of(BATCH, CLASSES));
          float[] values = new float[BATCH * CLASSES];
          logits.copyTo(DataBuffers.of(values, false, false));
          for (float v : values) {
            assertThat(Float.isFinite(v)).isTrue();
          }
        }
      }
    }
  }

  /** PvtBlock's pos_embed: only the first block of each stage, sized [1, H, W, C] for the built image. */
  @Test
  void pvtPositionEmbeddingsFollowTheBuiltSize() {
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("u-pvt-micro"),
          ModelOptions.imagenet().withImageSize(64), graph);
      List<ModelVariable> embeddings = built.model().variables().values().stream()
          .filter(v -> v.path().endsWith("pos_embed")).toList();
      assertThat(embeddings).extracting(ModelVariable::path).containsExactly(
          "stages/0/blocks/0/pos_embed", "stages/1/blocks/0/pos_embed", "stages/2/blocks/0/pos_embed",
          "stages/3/blocks/0/pos_embed");
      assertThat(embeddings).extracting(ModelVariable::shape).containsExactly(
          Shape.of(1, 16, 16, 32), Shape.of(1, 8, 8, 64), Shape.of(1, 4, 4, 160), Shape.of(1, 2, 2, 256));
      assertThat(embeddings).allMatch(ModelVariable::weightDecay);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"u-pvt-micro", "u-dcnv3-micro"})
  void everyTrainableVariableGetsAGradient(String name) {
    int size = 32;
    ModelOptions options = ModelOptions.imagenet().withImageSize(size).withNumClasses(CLASSES);
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), options, graph, 0L, BATCH, false);
      Ops tf = built.model().tf();
      Operand<TFloat32> logits = built.output().logits();
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(logits), tf.constant(new int[] {0, 1}));
      List<ModelVariable> trainable = built.model().trainableVariables();
      Output<?>[] grads = graph.addGradients(loss.asOutput(),
          trainable.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new));
      for (int i = 0; i < grads.length; i++) {
        assertThat(grads[i]).as("gradient of %s", trainable.get(i).path()).isNotNull();
      }
      try (Session session = new Session(graph); TFloat32 input = images(size)) {
        session.runner().addTarget(built.model().initializer()).run();
        Session.Runner runner = session.runner().feed(built.images(), input);
        Arrays.stream(grads).forEach(runner::fetch);
        try (Result result = runner.run()) {
          for (int i = 0; i < grads.length; i++) {
            TFloat32 g = (TFloat32) result.get(i);
            float[] values = new float[(int) g.size()];
            g.copyTo(DataBuffers.of(values, false, false));
            double norm = 0;
            for (float v : values) {
              norm += (double) v * v;
            }
            assertThat(Double.isFinite(norm)).as("finite gradient of %s", trainable.get(i).path()).isTrue();
          }
        }
      }
    }
  }
}
