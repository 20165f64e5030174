package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** U-Halo and U-Swin micro build and run at the reference size and at a size that needs padding. */
class UnifiedHaloSwinTest {
  private static final int BATCH = 2;
  private static final int CLASSES = 10;

  /** At 224 every map is a multiple of 7; at 64 the maps are 16, 8, 4, 2 and the mixers pad. */
  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({"u-halo-micro, 224", "u-halo-micro, 64", "u-swin-micro, 224", "u-swin-micro, 64"})
  void returnsOneFiniteLogitPerClass(String name, int size) {
    try (Graph g = new Graph(); Session session = new Session(g)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withImageSize(size).withNumClasses(CLASSES), g, 3L, BATCH, false);
      assertThat(built.output().logits().shape()).isEqualTo(Shape.of(BATCH, CLASSES));
      session.run(built.model().initializer());
      float[] pixels = new float[BATCH * size * size * 3];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) Math.sin(i * 0.37);
      }
      try (TFloat32 images = TFloat32.tensorOf(Shape.of(BATCH, size, size, 3), DataBuffers.of(pixels, true, false));
          Result result = session.runner().feed(built.images(), images).fetch(built.output().logits()).run()) {
        TFloat32 logits = (TFloat32) result.get(0);
        assertThat(logits.shape()).isEqualTo(Shape.of(BATCH, CLASSES));
        float[] values = new float[BATCH * CLASSES];
        logits.copyTo(DataBuffers.of(values, false, false));
        for (float v : values) {
          assertThat(v).isFinite();
        }
      }
    }
  }

  /** The whole network is differentiable in graph mode: every trainable variable gets a gradient. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"u-halo-micro", "u-swin-micro"})
  void everyTrainableVariableGetsAGradient(String name) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withImageSize(64).withNumClasses(CLASSES), g, 3L, BATCH, false);
      List<ModelVariable> trainable = built.model().trainableVariables();
      Output<?>[] values = trainable.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
      var tf = built.model().tf();
      Output<?>[] grads = g.addGradients(
          tf.sum(built.output().logits(), tf.constant(new int[] {0, 1})).asOutput(), values);
      for (int i = 0; i < grads.length; i++) {
        assertThat(grads[i]).as("gradient of %s", trainable.get(i).path()).isNotNull();
      }
    }
  }
}
