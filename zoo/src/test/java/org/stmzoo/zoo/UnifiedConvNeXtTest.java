package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Output;

/** The smallest U-model builds at 224 and a small size, trains (gradients everywhere) and switches modes. */
class UnifiedConvNeXtTest {
  @Test
  void buildsAt224AndAtASmallSize() {
    for (int size : new int[] {224, 64}) {
      try (Graph g = new Graph()) {
        BuiltModel m = BuiltModel.build(ModelRegistry.get("u-convnext-micro"),
            ModelOptions.imagenet().withImageSize(size).withNumClasses(10), g);
        assertThat(m.output().logits().shape().asArray()).containsExactly(-1, 10);
        float[] logits = ModelRunner.infer(m, 2);
        assertThat(logits).hasSize(20).doesNotContain(Float.NaN);
      }
    }
  }

  @Test
  void everyTrainableVariableGetsAGradient() {
    try (Graph g = new Graph()) {
      BuiltModel m = BuiltModel.build(ModelRegistry.get("u-convnext-micro"),
          ModelOptions.imagenet().withImageSize(64).withNumClasses(10), g);
      List<ModelVariable> vars = m.model().trainableVariables();
      Output<?>[] grads = ModelRunner.gradients(m, vars);
      for (int i = 0; i < vars.size(); i++) {
        assertThat(grads[i]).as("gradient of " + vars.get(i).path()).isNotNull();
      }
    }
  }

  @Test
  void trainingAndInferenceDifferExactlyWhereTheyShould() {
    try (Graph g = new Graph()) {
      BuiltModel m = BuiltModel.build(ModelRegistry.get("u-convnext-micro"),
          ModelOptions.imagenet().withImageSize(64).withNumClasses(10).withDropPathRate(0.5f), g);
      try (ModelRunner runner = new ModelRunner(m, 4)) {
        float[] infer1 = runner.run(false);
        float[] infer2 = runner.run(false);
        assertThat(infer2).as("inference is deterministic").containsExactly(infer1);
        float[] train1 = runner.run(true);
        float[] train2 = runner.run(true);
        assertThat(train1).as("drop path and batch statistics change the training output").isNotEqualTo(infer1);
        assertThat(train2).as("drop path is random per run").isNotEqualTo(train1);
        // BatchNorm moving statistics change only when a training step runs the state updates.
        float[] before = runner.read("head/bn/moving_mean");
        runner.runStateUpdates(false);
        assertThat(runner.read("head/bn/moving_mean")).containsExactly(before);
        runner.runStateUpdates(true);
        assertThat(runner.read("head/bn/moving_mean")).isNotEqualTo(before);
      }
    }
  }
}
