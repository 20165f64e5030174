package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class BilinearSamplerTest {
  // value [B=2, H=3, W=4, G=2, D=2]
  static final int B = 2;
  static final int H = 3;
  static final int W = 4;
  static final int G = 2;
  static final int D = 2;

  /** Samples value at (y, x) [B, 1, G, P] and returns [B, 1, G, P, D]. */
  private static float[] sample(float[] value, float[] ys, float[] xs, int points) {
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> v = g.input("value", Shape.of(B, H, W, G, D), value);
      Operand<TFloat32> y = g.input("y", Shape.of(B, 1, G, points), ys);
      Operand<TFloat32> x = g.input("x", Shape.of(B, 1, G, points), xs);
      return g.run(BilinearSampler.sample(g.tf(), v, y, x));
    }
  }

  private static float at(float[] value, int b, int r, int c, int g, int d) {
    return value[(((b * H + r) * W + c) * G + g) * D + d];
  }

  /** The kernel's rule, written out: each neighbour inside the map contributes weight * value. */
  private static double direct(float[] value, int b, int g, int d, double y, double x) {
    int r0 = (int) Math.floor(y);
    int c0 = (int) Math.floor(x);
    double fy = y - r0;
    double fx = x - c0;
    double sum = 0;
    for (int dr = 0; dr <= 1; dr++) {
      for (int dc = 0; dc <= 1; dc++) {
        int r = r0 + dr;
        int c = c0 + dc;
        if (r >= 0 && r < H && c >= 0 && c < W) {
          sum += (dr == 1 ? fy : 1 - fy) * (dc == 1 ? fx : 1 - fx) * at(value, b, r, c, g, d);
        }
      }
    }
    return sum;
  }

  private static float[] randomValue() {
    return TinyGraph.uniform(new Random(3), B * H * W * G * D, 1f);
  }

  /** One sample: batch b, group g, point k at flat location index loc, channel d. */
  private interface SampleCheck {
    void check(int b, int g, int k, int loc, int d);
  }

  /**
   * Samples at {@code yx} pairs cycled over all [B, 1, G, points] locations (so batches and groups get
   * different ones when the list is longer than {@code points}) and runs {@code check} on every output.
   */
  private static void sampleCycling(float[] value, float[][] yx, int points, SampleCheck check, float[] out,
      float[] ys, float[] xs) {
    for (int i = 0; i < ys.length; i++) {
      ys[i] = yx[i % yx.length][0];
      xs[i] = yx[i % yx.length][1];
    }
    System.arraycopy(sample(value, ys, xs, points), 0, out, 0, out.length);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int k = 0; k < points; k++) {
          for (int d = 0; d < D; d++) {
            check.check(b, g, k, (b * G + g) * points + k, d);
          }
        }
      }
    }
  }

  @Test
  void integerLocationsReadTheMapExactly() {
    float[] value = randomValue();
    float[][] rc = {{0, 0}, {2, 3}, {1, 2}, {2, 0}, {0, 3}, {1, 1}};
    int p = 3;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    float[] out = new float[B * G * p * D];
    sampleCycling(value, rc, p, (b, g, k, loc, d) -> assertThat(out[loc * D + d])
        .isEqualTo(at(value, b, (int) ys[loc], (int) xs[loc], g, d)), out, ys, xs);
  }

  @Test
  void fractionalAndOutOfRangeLocationsMatchTheDirectRule() {
    float[] value = randomValue();
    float[][] yx = {
        {0.25f, 1.5f}, {1.7f, 2.2f}, {0.5f, 0.5f}, // inside
        {-0.5f, 1f}, {2.5f, 3.5f}, {-0.25f, -0.75f}, // partly outside: only inside neighbours count
        {-1f, 0f}, {-1.5f, 1f}, {3f, 0f}, {1f, 4.2f}, {-7f, 9f}}; // wholly outside: zero
    int p = yx.length;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    float[] out = new float[B * G * p * D];
    sampleCycling(value, yx, p, (b, g, k, loc, d) -> {
      assertThat((double) out[loc * D + d]).as("b%d g%d %s", b, g, java.util.Arrays.toString(yx[k]))
          .isCloseTo(direct(value, b, g, d, ys[loc], xs[loc]), within(1e-6));
      if (k >= 6) {
        assertThat(out[loc * D + d]).isZero();
      }
    }, out, ys, xs);
    // by hand: (-0.5, 1) lies halfway between row -1 (outside, reads 0) and row 0
    assertThat((double) out[3 * D]).isCloseTo(0.5 * at(value, 0, 0, 1, 0, 0), within(1e-6));
  }

  @Test
  void weightedSumIsThePointWeightedSumOfTheSamples() {
    float[] value = randomValue();
    // inside, fractional, partly and wholly outside, and a point far away (its neighbours clamp to the border)
    float[][] yx = {{0.25f, 1.5f}, {1.7f, 2.2f}, {-0.5f, 1f}, {2.5f, 3.5f}, {-7f, 9f}, {1e6f, -3e5f}, {2f, 3f}};
    int p = yx.length;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = yx[i % p][0];
      xs[i] = yx[i % p][1];
    }
    float[] weights = TinyGraph.uniform(new Random(5), B * G * p, 1f);
    float[] out;
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> v = g.input("value", Shape.of(B, H, W, G, D), value);
      Operand<TFloat32> y = g.input("y", Shape.of(B, 1, G, p), ys);
      Operand<TFloat32> x = g.input("x", Shape.of(B, 1, G, p), xs);
      Operand<TFloat32> w = g.input("w", Shape.of(B, 1, G, p), weights);
      out = g.run(BilinearSampler.weightedSum(g.tf(), v, y, x, w));
    }
    assertThat(out).hasSize(B * G * D);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int d = 0; d < D; d++) {
          double expected = 0;
          for (int k = 0; k < p; k++) {
            int loc = (b * G + g) * p + k;
            expected += weights[loc] * direct(value, b, g, d, ys[loc], xs[loc]);
          }
          assertThat((double) out[(b * G + g) * D + d]).as("b%d g%d d%d", b, g, d).isCloseTo(expected, within(1e-5));
        }
      }
    }
  }
}
