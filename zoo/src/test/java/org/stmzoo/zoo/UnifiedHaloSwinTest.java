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

/** U-Halo and U-Swin micro build and run at the reference size and at a size that needs padding. */
class UnifiedHaloSwinTest {
  private static final int BATCH = 2;
  private static final int CLASSES = 10;

  /** At 224 every map is a multiple of 7; at 64 the maps are 16, 8, 4, 2 and the mixers pad. */
  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({"u-halo-micro, 224", "u-halo-micro, 64", "u-swin-micro, 224", "u-swin-micro, 64"})
  void returnsOneFiniteLogitPerClass(String name, int size) {
    try (Graph g = new Graph()) {
      BuiltModel m = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withImageSize(size).withNumClasses(CLASSES), g);
      assertThat(m.output().logits().shape().asArray()).containsExactly(-1, CLASSES);
      float[] logits = ModelRunner.infer(m, BATCH);
      assertThat(logits).hasSize(BATCH * CLASSES);
      for (float v : logits) {
        assertThat(v).isFinite();
      }
    }
  }

  /** The whole network is differentiable in graph mode: every trainable variable gets a gradient. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"u-halo-micro", "u-swin-micro"})
  void everyTrainableVariableGetsAGradient(String name) {
    try (Graph g = new Graph()) {
      BuiltModel m = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withImageSize(64).withNumClasses(CLASSES), g);
      List<ModelVariable> vars = m.model().trainableVariables();
      Output<?>[] grads = ModelRunner.gradients(m, vars);
      for (int i = 0; i < vars.size(); i++) {
        assertThat(grads[i]).as("gradient of %s", vars.get(i).path()).isNotNull();
      }
    }
  }
}
