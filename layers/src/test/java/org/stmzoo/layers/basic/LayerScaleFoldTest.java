package org.stmzoo.layers.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A layer scale declared on the projection before it: taken into its weights in inference calls (with variables or
 * frozen weights), a multiplication of the output in calls that may train.
 */
class LayerScaleFoldTest {
  private static final float[] INPUT = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f, 1f, 0.1f, -0.3f, 0.7f, 0.2f, -2f};
  private static final float[] GAMMA = {2f, -0.5f, 3f, 0.25f};

  /**
   * A Dense (3 -> 4) and its layer scale, plus a 1x1 convolution (3 -> 4) and its own, each scale declared on its
   * projection: the two branches summed, as the unified block's residual branches end.
   */
  private static final class Branches {
    final Dense fc;
    final LayerScale fcScale;
    final Conv2D conv;
    final LayerScale convScale;

    Branches(ModelGraph model) {
      fc = new Dense(model.root().child("fc"), 3, 4, true);
      fcScale = new LayerScale(model.root().child("fc_scale"), new LayerScale.Config(4, 1e-6f, false));
      fcScale.foldInto(fc);
      conv = new Conv2D(model.root().child("conv"), Conv2D.Config.of(3, 4, 1, 1, Padding.valid(), true));
      convScale = new LayerScale(model.root().child("conv_scale"), new LayerScale.Config(4, 1e-6f, false));
      convScale.foldInto(conv);
    }

    Operand<TFloat32> call(ModelGraph model, Operand<TFloat32> x, Operand<TBool> training) {
      return model.tf().math.add(fcScale.call(fc.call(x, training), training),
          convScale.call(conv.call(x, training), training));
    }
  }

  /** A map {@code [B, 2, 2, 3]}. */
  private static Placeholder<TFloat32> input(ModelGraph model) {
    return model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, 2, 3)));
  }

  private static float[] run(Session session, Placeholder<TFloat32> x, Operand<TFloat32> y) {
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(1, 2, 2, 3), DataBuffers.of(INPUT));
        TFloat32 out = (TFloat32) session.runner().feed(x, in).fetch(y).run().get(0)) {
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  /** A multiplication by a layer scale's gamma, and what it multiplies: a weight or the branch's output. */
  private record ScaleMultiplication(boolean ofWeight) {}

  private static List<ScaleMultiplication> scaleMultiplications(Graph g) {
    List<ScaleMultiplication> found = new ArrayList<>();
    g.operations().forEachRemaining(op -> {
      if (!op.type().equals("Mul")) {
        return;
      }
      List<org.tensorflow.Operand<?>> inputs = ((GraphOperation) op).inputs();
      boolean readsScale = inputs.stream().anyMatch(in -> isScale(in.op().name()));
      if (readsScale) {
        // the other input: a variable read (kernel, bias) where the scale is taken into the weights
        boolean ofWeight = inputs.stream().filter(in -> !isScale(in.op().name()))
            .allMatch(in -> in.op().type().equals("ReadVariableOp"));
        found.add(new ScaleMultiplication(ofWeight));
      }
    });
    return found;
  }

  private static boolean isScale(String opName) {
    return opName.startsWith("fc_scale.") || opName.startsWith("conv_scale.");
  }

  private static long count(List<ScaleMultiplication> found, boolean ofWeight) {
    return found.stream().filter(m -> m.ofWeight() == ofWeight).count();
  }

  private static void assign(Session s, ModelGraph model, String path, float[] value) {
    ModelVariable v = model.variables().get(path);
    s.run(model.tf().assignVariableOp(v.handle(), model.tf().constant(value)));
  }

  private static void assignAll(Session s, ModelGraph model, float[] fcScale, float[] convScale) {
    s.run(model.initializer());
    assign(s, model, "fc/bias", new float[] {0.3f, -0.1f, 0.2f, 0.5f});
    assign(s, model, "conv/bias", new float[] {-0.4f, 0.6f, 0.1f, -0.2f});
    assign(s, model, "fc_scale/gamma", fcScale);
    assign(s, model, "conv_scale/gamma", convScale);
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f * (1 + Math.abs(expected[i]))));
    }
  }

  private static final float[] ONES = {1f, 1f, 1f, 1f};
  private static final float[] CONV_GAMMA = {-1f, 0.5f, 4f, 1.5f};

  @Test
  void inferenceCallsCarryTheScaleInTheWeightsAndCallsThatMayTrainMultiplyTheOutput() {
    float[] trainable;
    float[] unscaled;
    try (Graph g = new Graph()) {
      // the training switch a placeholder: the multiplication stays on the branch's output
      ModelGraph model = ModelGraph.create(g, 5L);
      Placeholder<TFloat32> x = input(model);
      Operand<TFloat32> y = new Branches(model).call(model, x, model.training());
      assertThat(model.scaleFolded(model.variables().get("fc_scale/gamma"), model.training())).isFalse();
      List<ScaleMultiplication> found = scaleMultiplications(g);
      assertThat(count(found, false)).isEqualTo(2);
      assertThat(count(found, true)).isZero();
      try (Session s = new Session(g)) {
        assignAll(s, model, ONES, ONES);
        unscaled = run(s, x, y);
        assignAll(s, model, GAMMA, CONV_GAMMA);
        trainable = run(s, x, y);
      }
    }
    try (Graph g = new Graph()) {
      // inference on variables: kernel and bias times the scale, nothing on the output
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      Placeholder<TFloat32> x = input(model);
      Branches branches = new Branches(model);
      Operand<TFloat32> y = branches.call(model, x, model.training());
      assertThat(model.scaleFolded(model.variables().get("fc_scale/gamma"), model.training())).isTrue();
      List<ScaleMultiplication> found = scaleMultiplications(g);
      assertThat(count(found, false)).isZero();
      assertThat(count(found, true)).isEqualTo(4);
      // a training call in the same graph (as a training step builds on it) keeps the multiplication
      Operand<TFloat32> trainingOut = branches.call(model, x, model.tf().constant(true));
      List<ScaleMultiplication> withTraining = scaleMultiplications(g);
      assertThat(count(withTraining, false)).isEqualTo(2);
      assertThat(count(withTraining, true)).isEqualTo(4);
      try (Session s = new Session(g)) {
        assignAll(s, model, GAMMA, CONV_GAMMA);
        assertClose(run(s, x, y), trainable);
        assertClose(run(s, x, trainingOut), trainable);
      }
    }
    // the scales matter here: the folded graph's agreement is not that of two unscaled graphs
    double largest = 0;
    for (int i = 0; i < unscaled.length; i++) {
      largest = Math.max(largest, Math.abs(unscaled[i] - trainable[i]));
    }
    assertThat(largest).isGreaterThan(0.1);
  }

  @Test
  void frozenWeightsCarryTheScaleAndTheGraphDropsTheMultiplication() {
    float[] withVariables;
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.create(g, 5L);
      Placeholder<TFloat32> x = input(model);
      Operand<TFloat32> y = new Branches(model).call(model, x, model.training());
      assertThat(model.scaleFolds()).hasSize(2);
      try (Session s = new Session(g)) {
        assignAll(s, model, GAMMA, CONV_GAMMA);
        withVariables = run(s, x, y);
        try (FrozenWeights weights = FrozenWeights.read(s, model); Graph frozenGraph = new Graph()) {
          ModelGraph frozen = ModelGraph.inferenceOnly(frozenGraph, 5L, ModelGraph.Inference.PLAIN, weights);
          Placeholder<TFloat32> fx = input(frozen);
          Operand<TFloat32> fy = new Branches(frozen).call(frozen, fx, frozen.training());
          assertThat(frozen.scaleFolded(frozen.variables().get("fc_scale/gamma"), frozen.training())).isTrue();
          assertThat(scaleMultiplications(frozenGraph)).isEmpty();
          try (Session fs = new Session(frozenGraph)) {
            assertClose(run(fs, fx, fy), withVariables);
          }
        }
      }
    }
  }

  @Test
  void aFoldIsDeclaredBeforeItsProjectionIsBuiltAndReadWithTheTrainingSwitch() {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      Placeholder<TFloat32> x = input(model);
      Dense fc = new Dense(model.root().child("fc"), 3, 4, true);
      fc.call(x, model.training());
      LayerScale late = new LayerScale(model.root().child("late"), new LayerScale.Config(4, 1e-6f, false));
      assertThatThrownBy(() -> late.foldInto(fc))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("fc/kernel")
          .hasMessageContaining("before calling the layer");
      Conv2D conv = new Conv2D(model.root().child("conv"), Conv2D.Config.of(3, 4, 1, 1, Padding.valid(), true));
      new LayerScale(model.root().child("conv_scale"), new LayerScale.Config(4, 1e-6f, false)).foldInto(conv);
      // a call that does not say whether it trains cannot tell whether the scale is in the weights
      assertThatThrownBy(() -> conv.call(x, Padding.valid()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("conv/kernel");
    }
  }

  @Test
  void aFoldMustMatchItsProjectionAndBeDeclaredOnce() {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      Dense fc = new Dense(model.root().child("fc"), 3, 4, true);
      LayerScale narrow = new LayerScale(model.root().child("narrow"), new LayerScale.Config(3, 1e-6f, false));
      assertThatThrownBy(() -> narrow.foldInto(fc))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("narrow/gamma")
          .hasMessageContaining("4 output channels of fc/kernel");
      LayerScale scale = new LayerScale(model.root().child("scale"), new LayerScale.Config(4, 1e-6f, false));
      scale.foldInto(fc);
      LayerScale second = new LayerScale(model.root().child("second"), new LayerScale.Config(4, 1e-6f, false));
      assertThatThrownBy(() -> second.foldInto(fc))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared already");
      assertThatThrownBy(() -> scale.foldInto(new Dense(model.root().child("fc2"), 3, 4, true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared already");
      Conv2D depthwise = new Conv2D(model.root().child("dw"),
          Conv2D.Config.of(4, 4, 3, 1, Padding.same(3), true).withGroups(4));
      LayerScale dwScale = new LayerScale(model.root().child("dw_scale"), new LayerScale.Config(4, 1e-6f, false));
      assertThatThrownBy(() -> dwScale.foldInto(depthwise))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("depthwise");
    }
  }
}
