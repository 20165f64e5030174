package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class SpatialReductionAttentionTest {
  static final int H = 4;
  static final int W = 4;
  static final int C = 4;
  static final int HEADS = 2;

  @ParameterizedTest(name = "sr={0}")
  @ValueSource(ints = {1, 2, 4})
  void matchesNaiveLoop(int sr) {
    Random rng = new Random(5 + sr);
    float[] x = TinyGraph.uniform(rng, H * W * C, 1f);
    try (TinyGraph g = new TinyGraph()) {
      SpatialReductionAttention sra = new SpatialReductionAttention(g.scope("sra"),
          SpatialReductionAttention.Config.of(C, HEADS, sr));
      Operand<TFloat32> out = sra.call(g.input("x", Shape.of(1, H, W, C), x), g.model.training());
      assertThat(out.shape()).isEqualTo(Shape.of(1, H, W, C));
      g.randomizeParameters(rng, 0.7f);
      float[] actual = g.run(out);
      double[] expected = naive(g, x, sr);
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-4));
      }
    }
  }

  /** PVT's Attention.forward for one image, written as loops over tokens. */
  private static double[] naive(TinyGraph g, float[] xf, int sr) {
    double[] x = NaiveMath.toDouble(xf);
    int n = H * W;
    double[] q = NaiveMath.dense(x, n, C, g.parameter("sra/q/kernel"), g.parameter("sra/q/bias"), C);
    double[] source = x;
    int m = n;
    if (sr > 1) {
      int rh = H / sr;
      int rw = W / sr;
      m = rh * rw;
      float[] k = g.parameter("sra/sr/kernel"); // [sr, sr, C, C]
      float[] b = g.parameter("sra/sr/bias");
      double[] reduced = new double[m * C];
      for (int i = 0; i < rh; i++) {
        for (int j = 0; j < rw; j++) {
          for (int co = 0; co < C; co++) {
            double s = b[co];
            for (int a = 0; a < sr; a++) {
              for (int bb = 0; bb < sr; bb++) {
                for (int ci = 0; ci < C; ci++) {
                  s += x[((i * sr + a) * W + j * sr + bb) * C + ci] * k[((a * sr + bb) * C + ci) * C + co];
                }
              }
            }
            reduced[(i * rw + j) * C + co] = s;
          }
        }
      }
      source = NaiveMath.layerNorm(reduced, m, C, g.parameter("sra/norm/gamma"), g.parameter("sra/norm/beta"),
          1e-5);
    }
    double[] kv = NaiveMath.dense(source, m, C, g.parameter("sra/kv/kernel"), g.parameter("sra/kv/bias"), 2 * C);
    int d = C / HEADS;
    double[] attended = new double[n * C];
    for (int h = 0; h < HEADS; h++) {
      for (int t = 0; t < n; t++) {
        double[] scores = new double[m];
        for (int s = 0; s < m; s++) {
          double dot = 0;
          for (int e = 0; e < d; e++) {
            dot += q[t * C + h * d + e] * kv[s * 2 * C + h * d + e]; // keys: first C outputs of kv
          }
          scores[s] = dot / Math.sqrt(d);
        }
        NaiveMath.softmax(scores, m);
        for (int e = 0; e < d; e++) {
          double sum = 0;
          for (int s = 0; s < m; s++) {
            sum += scores[s] * kv[s * 2 * C + C + h * d + e];
          }
          attended[t * C + h * d + e] = sum;
        }
      }
    }
    return NaiveMath.dense(attended, n, C, g.parameter("sra/proj/kernel"), g.parameter("sra/proj/bias"), C);
  }

  @Test
  void everyVariableGetsAGradient() {
    Random rng = new Random(9);
    try (TinyGraph g = new TinyGraph()) {
      SpatialReductionAttention sra = new SpatialReductionAttention(g.scope("sra"),
          SpatialReductionAttention.Config.of(C, HEADS, 2));
      Operand<TFloat32> out = sra.call(
          g.input("x", Shape.of(2, H, W, C), TinyGraph.uniform(rng, 2 * H * W * C, 1f)), g.model.training());
      g.randomizeParameters(rng, 0.7f);
      List<ModelVariable> variables = g.model.trainableVariables();
      assertThat(variables).extracting(ModelVariable::path).containsExactlyInAnyOrder(
          "sra/q/kernel", "sra/q/bias", "sra/kv/kernel", "sra/kv/bias", "sra/proj/kernel", "sra/proj/bias",
          "sra/sr/kernel", "sra/sr/bias", "sra/norm/gamma", "sra/norm/beta");
      Output<?>[] grads = g.gradients(g.tf().reduceSum(g.tf().math.square(out), g.tf().constant(new int[] {0, 1, 2, 3})));
      GradientAssertions.allNonZero(g, variables, grads);
    }
  }
}
