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
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** A layer scale declared on the projection before it: folded into its weights where they are frozen. */
class LayerScaleFoldTest {
  private static final float[] INPUT = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f, 1f, 0.1f, -0.3f, 0.7f, 0.2f, -2f};
  private static final float[] GAMMA = {2f, -0.5f, 3f, 0.25f};

  /**
   * A map {@code [1, 2, 2, 3]} through a Dense (3 -> 4) and its layer scale, plus a 1x1 convolution (3 -> 4) and
   * its own: the two branches summed, as the unified block's residual branches end.
   */
  private static Placeholder<TFloat32> build(ModelGraph model, List<Operand<TFloat32>> out) {
    Placeholder<TFloat32> x = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, 2, 3)));
    Dense fc = new Dense(model.root().child("fc"), 3, 4, true);
    LayerScale fcScale = new LayerScale(model.root().child("fc_scale"), new LayerScale.Config(4, 1e-6f, false));
    fcScale.foldInto(fc);
    Conv2D conv = new Conv2D(model.root().child("conv"), Conv2D.Config.of(3, 4, 1, 1, Padding.valid(), true));
    LayerScale convScale = new LayerScale(model.root().child("conv_scale"), new LayerScale.Config(4, 1e-6f, false));
    convScale.foldInto(conv);
    out.add(model.tf().math.add(fcScale.call(fc.call(x, model.training()), model.training()),
        convScale.call(conv.call(x, model.training()), model.training())));
    return x;
  }

  private static float[] run(Session session, Placeholder<TFloat32> x, Operand<TFloat32> y) {
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(1, 2, 2, 3), DataBuffers.of(INPUT));
        TFloat32 out = (TFloat32) session.runner().feed(x, in).fetch(y).run().get(0)) {
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  /** How many multiplications read a layer scale's gamma. */
  private static long scaleMultiplications(Graph g) {
    long[] n = {0};
    g.operations().forEachRemaining(op -> {
      if (op.type().equals("Mul") && ((org.tensorflow.GraphOperation) op).inputs().stream()
          .anyMatch(in -> in.op().name().startsWith("fc_scale.") || in.op().name().startsWith("conv_scale."))) {
        n[0]++;
      }
    });
    return n[0];
  }

  private static void assign(Session s, ModelGraph model, String path, float[] value) {
    ModelVariable v = model.variables().get(path);
    s.run(model.tf().assignVariableOp(v.handle(), model.tf().constant(value)));
  }

  @Test
  void frozenWeightsCarryTheScaleAndTheGraphDropsTheMultiplication() {
    float[] withVariables;
    float[] unscaled;
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      List<Operand<TFloat32>> out = new ArrayList<>();
      Placeholder<TFloat32> x = build(model, out);
      assertThat(model.scaleFolds()).hasSize(2);
      // with variables the scales stay multiplications
      assertThat(scaleMultiplications(g)).isEqualTo(2);
      try (Session s = new Session(g)) {
        s.run(model.initializer());
        assign(s, model, "fc/bias", new float[] {0.3f, -0.1f, 0.2f, 0.5f});
        assign(s, model, "conv/bias", new float[] {-0.4f, 0.6f, 0.1f, -0.2f});
        assign(s, model, "fc_scale/gamma", new float[] {1f, 1f, 1f, 1f});
        assign(s, model, "conv_scale/gamma", new float[] {1f, 1f, 1f, 1f});
        unscaled = run(s, x, out.get(0));
        assign(s, model, "fc_scale/gamma", GAMMA);
        assign(s, model, "conv_scale/gamma", new float[] {-1f, 0.5f, 4f, 1.5f});
        withVariables = run(s, x, out.get(0));
        try (FrozenWeights weights = FrozenWeights.read(s, model); Graph frozenGraph = new Graph()) {
          ModelGraph frozen = ModelGraph.inferenceOnly(frozenGraph, 5L, ModelGraph.Inference.PLAIN, weights);
          List<Operand<TFloat32>> frozenOut = new ArrayList<>();
          Placeholder<TFloat32> fx = build(frozen, frozenOut);
          assertThat(frozen.scaleFolded(frozen.variables().get("fc_scale/gamma"))).isTrue();
          assertThat(model.scaleFolded(model.variables().get("fc_scale/gamma"))).isFalse();
          assertThat(scaleMultiplications(frozenGraph)).isZero();
          try (Session fs = new Session(frozenGraph)) {
            float[] actual = run(fs, fx, frozenOut.get(0));
            assertThat(actual).hasSameSizeAs(withVariables);
            for (int i = 0; i < actual.length; i++) {
              assertThat(actual[i]).isCloseTo(withVariables[i], within(1e-5f * (1 + Math.abs(withVariables[i]))));
            }
          }
        }
      }
    }
    // the scales matter here: the folded graph's agreement is not that of two unscaled graphs
    double largest = 0;
    for (int i = 0; i < unscaled.length; i++) {
      largest = Math.max(largest, Math.abs(unscaled[i] - withVariables[i]));
    }
    assertThat(largest).isGreaterThan(0.1);
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
