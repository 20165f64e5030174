package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.recipes.RecipeConfig.Distillation;
import org.stmzoo.recipes.train.Losses;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class DistillationLossTest {
  private static final float[][] CLS = {{1f, 0f, -1f}, {0.5f, 0.2f, 0.1f}};
  private static final float[][] DIST = {{0.2f, 0.4f, -0.3f}, {-1f, 2f, 0f}};
  private static final float[][] TEACHER = {{3f, 1f, 0f}, {0f, 0f, 4f}};
  private static final float[][] TARGETS = {{0.9f, 0.05f, 0.05f}, {0.3f, 0.7f, 0f}};

  private static double[] logSoftmax(float[] z, double tau) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / tau);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v / tau - max);
    }
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = z[i] / tau - max - Math.log(sum);
    }
    return out;
  }

  private static double softTargetCe(float[][] logits, float[][] targets) {
    double total = 0;
    for (int b = 0; b < logits.length; b++) {
      double[] ls = logSoftmax(logits[b], 1);
      for (int k = 0; k < ls.length; k++) {
        total -= targets[b][k] * ls[k];
      }
    }
    return total / logits.length;
  }

  private static float run(Distillation config) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> loss = Losses.distillation(tf, config, tf.constant(CLS), tf.constant(DIST),
          tf.constant(TEACHER), tf.constant(TARGETS));
      return GraphTestSupport.fetch(s, loss)[0];
    }
  }

  @Test
  void softDistillationIsDeitsSummedKlOverNumelTimesTauSquared() {
    double tau = 2.0;
    double kl = 0;
    for (int b = 0; b < 2; b++) {
      double[] ls = logSoftmax(DIST[b], tau);
      double[] lt = logSoftmax(TEACHER[b], tau);
      for (int k = 0; k < 3; k++) {
        kl += Math.exp(lt[k]) * (lt[k] - ls[k]);
      }
    }
    double expected = 0.7 * softTargetCe(CLS, TARGETS) + 0.3 * kl / 6 * tau * tau;
    assertThat(run(new Distillation("soft", 0.3, tau))).isCloseTo((float) expected, within(1e-5f));
  }

  @Test
  void hardDistillationUsesTheTeachersArgMaxOnTheDistillationHead() {
    float[][] teacherLabels = {{1f, 0f, 0f}, {0f, 0f, 1f}};
    double expected = 0.5 * softTargetCe(CLS, TARGETS) + 0.5 * softTargetCe(DIST, teacherLabels);
    assertThat(run(new Distillation("hard", 0.5, 1.0))).isCloseTo((float) expected, within(1e-5f));
  }
}
