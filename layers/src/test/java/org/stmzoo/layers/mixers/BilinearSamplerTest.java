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

  @Test
  void integerLocationsReadTheMapExactly() {
    float[] value = randomValue();
    // per batch/group: (0,0), (2,3), (1,2); different per group and batch
    float[][] rc = {{0, 0}, {2, 3}, {1, 2}, {2, 0}, {0, 3}, {1, 1}};
    int p = 3;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = rc[i % rc.length][0];
      xs[i] = rc[i % rc.length][1];
    }
    float[] out = sample(value, ys, xs, p);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int k = 0; k < p; k++) {
          int loc = (b * G + g) * p + k;
          for (int d = 0; d < D; d++) {
            assertThat(out[loc * D + d]).isEqualTo(at(value, b, (int) ys[loc], (int) xs[loc], g, d));
          }
        }
      }
    }
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
    for (int i = 0; i < ys.length; i++) {
      ys[i] = yx[i % p][0];
      xs[i] = yx[i % p][1];
    }
    float[] out = sample(value, ys, xs, p);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int k = 0; k < p; k++) {
          int loc = (b * G + g) * p + k;
          for (int d = 0; d < D; d++) {
            double expected = direct(value, b, g, d, ys[loc], xs[loc]);
            assertThat((double) out[loc * D + d]).as("b%d g%d %s", b, g, java.util.Arrays.toString(yx[k]))
                .isCloseTo(expected, within(1e-6));
            if (k >= 6) {
              assertThat(out[loc * D + d]).isZero();
            }
          }
        }
      }
    }
    // a hand-checked value: halfway between rows 0 and 1 at column 1 ... but above row 0 half is outside
    assertThat((double) out[3 * D]).isCloseTo(0.5 * at(value, 0, 0, 1, 0, 0), within(1e-6));
  }
}
