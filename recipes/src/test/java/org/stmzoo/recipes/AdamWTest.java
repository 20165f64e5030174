package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.stmzoo.recipes.optim.AdamW;
import org.stmzoo.recipes.optim.ModelEma;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class AdamWTest {
  private static final double LR = 0.01;
  private static final double WD = 0.05;

  /** torch.optim.AdamW's update for one element, in double, steps 1..n with the given gradients. */
  private static double torchAdamW(double p, double[] grads, boolean decay) {
    double m = 0;
    double v = 0;
    for (int t = 1; t <= grads.length; t++) {
      double g = grads[t - 1];
      if (decay) {
        p *= 1 - LR * WD;
      }
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      double bc1 = 1 - Math.pow(0.9, t);
      double bc2 = 1 - Math.pow(0.999, t);
      p -= LR / bc1 * m / (Math.sqrt(v) / Math.sqrt(bc2) + 1e-8);
    }
    return p;
  }

  @Test
  void twoStepsMatchTorchAdamWWithAndWithoutDecay() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph model = ModelGraph.create(g, 1);
      ModelVariable kernel = model.root().child("fc").variable("kernel", Shape.of(2), Initializer.constant(0.5f),
          VariableRole.KERNEL);
      ModelVariable bias = model.root().child("fc").variable("bias", Shape.of(2), Initializer.constant(-0.25f),
          VariableRole.BIAS);
      assertThat(kernel.weightDecay()).isTrue();
      assertThat(bias.weightDecay()).isFalse();
      AdamW adamw = new AdamW(model.root().child("optimizer"), List.of(kernel, bias), AdamW.Config.deit(WD));
      Ops tf = model.tf();
      // Gradients that depend on the step so that both moments matter: g = 2 * value + c.
      Operand<TFloat32> gk = tf.math.add(tf.math.mul(kernel.value(), tf.constant(2f)), tf.constant(new float[] {0.1f, -3f}));
      Operand<TFloat32> gb = tf.math.add(tf.math.mul(bias.value(), tf.constant(2f)), tf.constant(new float[] {1f, 0f}));
      List<Op> updates = adamw.apply(tf, List.of(gk, gb), tf.constant((float) LR));
      Op step = tf.withControlDependencies(updates).noOp();
      s.runner().addTarget(model.initializer()).run();
      s.runner().addTarget(step).run();
      s.runner().addTarget(step).run();

      float[] k = GraphTestSupport.fetch(s, kernel.value());
      float[] b = GraphTestSupport.fetch(s, bias.value());
      assertThat(k[0]).isCloseTo((float) expected(0.5, 0.1, true), within(1e-6f));
      assertThat(k[1]).isCloseTo((float) expected(0.5, -3, true), within(1e-6f));
      assertThat(b[0]).isCloseTo((float) expected(-0.25, 1, false), within(1e-6f));
      assertThat(b[1]).isCloseTo((float) expected(-0.25, 0, false), within(1e-6f));
      assertThat(GraphTestSupport.fetch(s, adamw.step().value())[0]).isEqualTo(2f);
      // The decayed kernel moved further towards zero than an undecayed update would.
      assertThat(expected(0.5, 0.1, true)).isLessThan(expected(0.5, 0.1, false));
    }
  }

  /** Replays two steps whose gradient is 2 p + c at the current p. */
  private static double expected(double p0, double c, boolean decay) {
    double g1 = 2 * p0 + c;
    double p1 = torchAdamW(p0, new double[] {g1}, decay);
    double g2 = 2 * p1 + c;
    return torchAdamW(p0, new double[] {g1, g2}, decay);
  }

  @Test
  void emaAveragesThePostStepWeights() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph model = ModelGraph.create(g, 1);
      ModelVariable w = model.root().variable("w", Shape.of(2), Initializer.constant(1f), VariableRole.KERNEL);
      ModelEma ema = new ModelEma(model.root().child("ema"), List.of(w), 0.9);
      Ops tf = model.tf();
      Op update = tf.assignVariableOp(w.handle(), tf.constant(new float[] {3f, -1f}));
      Op emaUpdate = ema.update(tf, List.of(update));
      Op reset = ema.reset(tf);
      s.runner().addTarget(model.initializer()).run();
      s.runner().addTarget(reset).run();
      s.runner().addTarget(emaUpdate).run();
      float[] averaged = GraphTestSupport.fetch(s, ema.variables().get(0).value());
      // 0.9 * 1 + 0.1 * new value
      assertThat(averaged[0]).isCloseTo(0.9f + 0.3f, within(1e-6f));
      assertThat(averaged[1]).isCloseTo(0.9f - 0.1f, within(1e-6f));
      s.runner().addTarget(ema.swap(tf)).run();
      assertThat(GraphTestSupport.fetch(s, w.value())).containsExactly(averaged);
      assertThat(GraphTestSupport.fetch(s, ema.variables().get(0).value())).containsExactly(3f, -1f);
    }
  }
}
