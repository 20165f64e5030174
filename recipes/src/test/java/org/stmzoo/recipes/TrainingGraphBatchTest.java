package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.recipes.train.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** A step's arrays must be exactly one batch of in-range labels: nothing is cut, padded or one-hot as all-off. */
class TrainingGraphBatchTest {
  private static final int S = 8;
  private static final int B = 4;
  private static final int CLASSES = 4;

  @Test
  void stepRefusesMismatchedArraysAndOutOfRangeLabels() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1);
      Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, S, S, 1)));
      TinyNet net = new TinyNet(model.root(), 1, CLASSES);
      TrainingGraph graph = new TrainingGraph(model, net, images, net.call(images, model.training()), CLASSES,
          RecipeConfig.deit(1, B), Optional.empty());
      graph.initialize(s);
      float[] batch = new float[B * S * S];

      assertThatThrownBy(() -> graph.runStep(s, batch, new int[] {0, 1, 2, 3, 0}, B, 0, 1e-3))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4 labels")
          .hasMessageContaining("got 5");
      assertThatThrownBy(() -> graph.runStep(s, batch, new int[] {0, 1, 2}, B, 0, 1e-3))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4 labels");
      assertThatThrownBy(() -> graph.runStep(s, new float[B * S * S + 1], new int[] {0, 1, 2, 3}, B, 0, 1e-3))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 256 image values");
      assertThatThrownBy(() -> graph.runStep(s, batch, new int[] {0, 1, CLASSES, 3}, B, 0, 1e-3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("label 4 of image 2 is outside [0, 4)");
      assertThatThrownBy(() -> graph.runStep(s, batch, new int[] {0, -1, 2, 3}, B, 0, 1e-3))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label -1 of image 1");
      assertThatThrownBy(() -> graph.runStepWithMetadata(s, batch, new int[] {0, 1}, B, 0, 1e-3,
          org.tensorflow.proto.RunOptions.getDefaultInstance()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4 labels");
      // the refusals ran nothing: the first real step is still step 0, and a well-formed batch trains
      assertThat(graph.completedSteps(s)).isZero();
      assertThat(graph.runStep(s, batch, new int[] {0, 1, 2, 3}, B, 0, 1e-3)).isFinite();
      assertThat(graph.completedSteps(s)).isEqualTo(1);
    }
  }
}
