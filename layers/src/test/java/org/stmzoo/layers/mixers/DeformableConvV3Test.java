package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class DeformableConvV3Test {
  // H != W so that a row/column mix-up cannot pass
  static final int B = 2;
  static final int H = 3;
  static final int W = 4;
  static final int C = 4;
  static final int GROUPS = 2;
  static final int D = C / GROUPS;
  static final int P = 9;

  private static Operand<TFloat32> build(TinyGraph g, float[] x) {
    DeformableConvV3 dcn = new DeformableConvV3(g.scope("dcn"), DeformableConvV3.Config.of(C, GROUPS));
    return dcn.call(g.input("x", Shape.of(B, H, W, C), x), g.model.training());
  }

  @Test
  void matchesTheReferenceFormulasLoopByLoop() {
    Random rng = new Random(21);
    float[] x = TinyGraph.uniform(rng, B * H * W * C, 1f);
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> out = build(g, x);
      assertThat(out.shape()).isEqualTo(Shape.of(B, H, W, C));
      // large enough for offsets of a pixel or more: fractional samples, some beyond the border
      g.randomizeParameters(rng, 0.7f);
      float[] actual = g.run(out);
      double[] expected = naive(g, x);
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(2e-4));
      }
    }
  }

  /**
   * MSDeformAttnGrid_softmax.forward for one level, as the reference writes it: normalised reference points
   * of the padded map, the meshgrid stacked (y, x) but added to (x, y) locations, and the CUDA kernel's
   * {@code loc * size - 0.5} and range rule.
   */
  private static double[] naive(TinyGraph g, float[] xf) {
    int hp = H + 2;
    int wp = W + 2;
    int n = H * W;
    double[] result = new double[B * n * C];
    float[] dwKernel = g.parameter("dcn/dw_conv/conv/kernel"); // [3, 3, C, 1]
    float[] dwBias = g.parameter("dcn/dw_conv/conv/bias");
    double[] lin = {-1, 0, 1};
    for (int b = 0; b < B; b++) {
      double[] x = NaiveMath.toDouble(Arrays.copyOfRange(xf, b * n * C, (b + 1) * n * C));
      double[] q = new double[n * C];
      for (int r = 0; r < H; r++) {
        for (int c = 0; c < W; c++) {
          for (int ch = 0; ch < C; ch++) {
            double s = dwBias[ch];
            for (int a = 0; a < 3; a++) {
              for (int e = 0; e < 3; e++) {
                int rr = r + a - 1;
                int cc = c + e - 1;
                if (rr >= 0 && rr < H && cc >= 0 && cc < W) {
                  s += x[(rr * W + cc) * C + ch] * dwKernel[(a * 3 + e) * C + ch];
                }
              }
            }
            q[(r * W + c) * C + ch] = s;
          }
        }
      }
      q = NaiveMath.layerNorm(q, n, C, g.parameter("dcn/dw_conv/norm/gamma"), g.parameter("dcn/dw_conv/norm/beta"),
          1e-5);
      for (int i = 0; i < q.length; i++) {
        q[i] = NaiveMath.gelu(q[i]);
      }
      double[] value = NaiveMath.dense(x, n, C, g.parameter("dcn/value_proj/kernel"),
          g.parameter("dcn/value_proj/bias"), C);
      double[] offsets = NaiveMath.dense(q, n, C, g.parameter("dcn/sampling_offsets/kernel"),
          g.parameter("dcn/sampling_offsets/bias"), GROUPS * P * 2);
      double[] weights = NaiveMath.dense(q, n, C, g.parameter("dcn/attention_weights/kernel"),
          g.parameter("dcn/attention_weights/bias"), GROUPS * P);
      NaiveMath.softmax(weights, P);
      double[] sampled = new double[n * C];
      for (int r = 0; r < H; r++) {
        for (int c = 0; c < W; c++) {
          int t = r * W + c;
          double refX = (c + 1.5) / wp;
          double refY = (r + 1.5) / hp;
          for (int grp = 0; grp < GROUPS; grp++) {
            for (int p = 0; p < P; p++) {
              double gridFirst = lin[p / 3]; // meshgrid's "y" component, added to x
              double gridSecond = lin[p % 3];
              int o = ((t * GROUPS + grp) * P + p) * 2;
              double locX = refX + (gridFirst + offsets[o]) / wp;
              double locY = refY + (gridSecond + offsets[o + 1]) / hp;
              double wIm = locX * wp - 0.5;
              double hIm = locY * hp - 0.5;
              double weight = weights[(t * GROUPS + grp) * P + p];
              if (hIm > -1 && wIm > -1 && hIm < hp && wIm < wp) {
                for (int d = 0; d < D; d++) {
                  sampled[t * C + grp * D + d] += weight * paddedBilinear(value, hIm, wIm, grp * D + d);
                }
              }
            }
          }
        }
      }
      double[] out = NaiveMath.dense(sampled, n, C, g.parameter("dcn/output_proj/kernel"),
          g.parameter("dcn/output_proj/bias"), C);
      System.arraycopy(out, 0, result, b * n * C, n * C);
    }
    return result;
  }

  /** Bilinear read of the value map zero-padded by one pixel, neighbours outside the padded map reading 0. */
  private static double paddedBilinear(double[] value, double h, double w, int channel) {
    int h0 = (int) Math.floor(h);
    int w0 = (int) Math.floor(w);
    double lh = h - h0;
    double lw = w - w0;
    double sum = 0;
    for (int dh = 0; dh <= 1; dh++) {
      for (int dw = 0; dw <= 1; dw++) {
        int row = h0 + dh - 1; // padded row -> original row
        int col = w0 + dw - 1;
        if (row >= 0 && row < H && col >= 0 && col < W) {
          sum += (dh == 1 ? lh : 1 - lh) * (dw == 1 ? lw : 1 - lw) * value[(row * W + col) * C + channel];
        }
      }
    }
    return sum;
  }

  @Test
  void everyVariableGetsAGradient() {
    Random rng = new Random(22);
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> out = build(g, TinyGraph.uniform(rng, B * H * W * C, 1f));
      g.randomizeParameters(rng, 0.7f);
      List<ModelVariable> variables = g.model.trainableVariables();
      assertThat(variables).hasSize(12);
      Output<?>[] grads = g.gradients(g.tf().reduceSum(g.tf().math.square(out), g.tf().constant(new int[] {0, 1, 2, 3})));
      GradientAssertions.allNonZero(g, variables, grads);
    }
  }

  /**
   * Central differences of {@code L = sum(out * R)} against the graph's gradient, for the input (which moves
   * offsets, weights and values at once), the offset bias (moves every sample of one point) and the
   * depthwise kernel. Bilinear sampling is piecewise linear: where a step moves a sample across a pixel line
   * the central difference averages two slopes, so there the analytic value must match one of the one-sided
   * differences instead, and such crossings must stay rare.
   */
  @Test
  void gradientsAgreeWithFiniteDifferences() {
    Random rng = new Random(23);
    float[] x = TinyGraph.uniform(rng, B * H * W * C, 1f);
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> out = build(g, x);
      g.randomizeParameters(rng, 0.7f);
      Operand<TFloat32> weights = g.tf().constant(Shape.of(B, H, W, C),
          org.tensorflow.ndarray.buffer.DataBuffers.of(TinyGraph.uniform(rng, B * H * W * C, 1f)));
      Operand<TFloat32> loss = g.tf().reduceSum(g.tf().math.mul(out, weights), g.tf().constant(new int[] {0, 1, 2, 3}));

      List<String> names = List.of("input", "dcn/sampling_offsets/bias", "dcn/dw_conv/conv/kernel");
      List<float[]> targets = List.of(x, g.parameter("dcn/sampling_offsets/bias"),
          g.parameter("dcn/dw_conv/conv/kernel"));
      Output<?>[] wrt = {
          g.graph.operation("x").output(0),
          g.variable("dcn/sampling_offsets/bias").value().asOutput(),
          g.variable("dcn/dw_conv/conv/kernel").value().asOutput()};
      Output<?>[] grads = g.graph.addGradients(loss.asOutput(), wrt);
      List<float[]> analytic = g.run(Arrays.asList(grads));

      float eps = 2e-3f;
      double base = g.run(loss)[0];
      int checked = 0;
      List<String> kinks = new ArrayList<>();
      for (int k = 0; k < targets.size(); k++) {
        float[] data = targets.get(k);
        for (int i = 0; i < data.length; i++) {
          float saved = data[i];
          data[i] = saved + eps;
          double plus = g.run(loss)[0];
          data[i] = saved - eps;
          double minus = g.run(loss)[0];
          data[i] = saved;
          double a = analytic.get(k)[i];
          double central = (plus - minus) / (2 * eps);
          checked++;
          if (Math.abs(a - central) <= 5e-3 + 1e-2 * Math.abs(a)) {
            continue;
          }
          double right = (plus - base) / eps;
          double left = (base - minus) / eps;
          double tol = 1e-2 + 3e-2 * Math.abs(a);
          assertThat(Math.min(Math.abs(a - right), Math.abs(a - left)))
              .as("%s[%d]: analytic %f, central %f, left %f, right %f", names.get(k), i, a, central, left, right)
              .isLessThanOrEqualTo(tol);
          kinks.add(names.get(k) + "[" + i + "]");
        }
      }
      assertThat(kinks.size()).as("entries at a sampling kink: %s", kinks).isLessThanOrEqualTo(checked / 10);
    }
  }
}
