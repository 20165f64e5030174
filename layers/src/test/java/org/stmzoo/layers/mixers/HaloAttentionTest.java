package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class HaloAttentionTest {
  private static final int DIM = 8;
  private static final int HEADS = 2;
  /** Block 2 with halo 1: 4x4 key windows. */
  private static final HaloAttention.Config TINY = new HaloAttention.Config(DIM, HEADS, 2, 1);

  @Test
  void keyMaskCoversExactlyThePaddedPositions() {
    checkKeyMask(4, 4, 2, 1);
    checkKeyMask(14, 14, 7, 3);
    checkKeyMask(5, 3, 2, 1);
    checkKeyMask(2, 2, 7, 3);
  }

  /** The reference's construction: a map of ones, zero-padded by the halo (and to block multiples), unfolded. */
  private static void checkKeyMask(int height, int width, int block, int halo) {
    int hp = (height + block - 1) / block * block;
    int wp = (width + block - 1) / block * block;
    int w = block + 2 * halo;
    int[][] ones = new int[hp + 2 * halo][wp + 2 * halo];
    for (int r = 0; r < height; r++) {
      for (int c = 0; c < width; c++) {
        ones[r + halo][c + halo] = 1;
      }
    }
    boolean[][] mask = HaloAttention.keyMask(height, width, hp, wp, block, halo);
    assertThat(mask.length).isEqualTo((hp / block) * (wp / block));
    for (int br = 0; br < hp / block; br++) {
      for (int bc = 0; bc < wp / block; bc++) {
        for (int ky = 0; ky < w; ky++) {
          for (int kx = 0; kx < w; kx++) {
            boolean outside = ones[br * block + ky][bc * block + kx] == 0;
            assertThat(mask[br * (wp / block) + bc][ky * w + kx]).as("block (%d, %d) key (%d, %d)", br, bc, ky, kx)
                .isEqualTo(outside);
          }
        }
      }
    }
  }

  @Test
  void haloAttentionMatchesANaiveLoop() {
    checkAgainstNaive(2, 4, 4);
    // not a multiple of the block: padded to 6x4, padded keys masked
    checkAgainstNaive(1, 5, 3);
  }

  private static void checkAgainstNaive(int batch, int height, int width) {
    try (MixerHarness h =
        new MixerHarness(Shape.of(batch, height, width, DIM), scope -> new HaloAttention(scope, TINY))) {
      float[] x = h.randomInput();
      Naive.assertClose(h.run(x), naive(h, x, batch, height, width), 1e-4);
    }
  }

  /**
   * Halo attention by hand: each pixel's query attends to the keys of the {@code w x w} window around its block
   * that lie inside the map, with logits {@code q.k / sqrt(d) + q.height_rel[ky - qy + w - 1] +
   * q.width_rel[kx - qx + w - 1]}.
   */
  private static double[] naive(MixerHarness h, float[] x, int batch, int height, int width) {
    float[] qKernel = h.values.get(h.variable("q/kernel"));
    float[] kvKernel = h.values.get(h.variable("kv/kernel"));
    float[] heightRel = h.values.get(h.variable("height_rel"));
    float[] widthRel = h.values.get(h.variable("width_rel"));
    float[] projKernel = h.values.get(h.variable("proj/kernel"));
    float[] projBias = h.values.get(h.variable("proj/bias"));
    int b = TINY.blockSize();
    int halo = TINY.haloSize();
    int w = TINY.windowSize();
    int d = DIM / HEADS;
    double[] out = new double[batch * height * width * DIM];
    for (int n = 0; n < batch; n++) {
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          double[] q = Naive.dense(Naive.pixel(x, height, width, DIM, n, r, c), qKernel, null, DIM, DIM);
          int qy = r % b;
          int qx = c % b;
          double[][] kv = new double[w * w][];
          double[][] logits = new double[HEADS][w * w];
          for (int ky = 0; ky < w; ky++) {
            for (int kx = 0; kx < w; kx++) {
              int kr = r - qy - halo + ky;
              int kc = c - qx - halo + kx;
              int k = ky * w + kx;
              kv[k] = Naive.dense(Naive.pixel(x, height, width, DIM, n, kr, kc), kvKernel, null, DIM, 2 * DIM);
              for (int head = 0; head < HEADS; head++) {
                boolean inside = kr >= 0 && kr < height && kc >= 0 && kc < width;
                double[] hRow = row(heightRel, ky - qy + w - 1, d);
                double[] wRow = row(widthRel, kx - qx + w - 1, d);
                logits[head][k] = !inside ? Double.NaN
                    : Naive.dot(q, head * d, kv[k], head * 2 * d, d) / Math.sqrt(d)
                        + Naive.dot(q, head * d, hRow, 0, d) + Naive.dot(q, head * d, wRow, 0, d);
              }
            }
          }
          double[] heads = new double[DIM];
          for (int head = 0; head < HEADS; head++) {
            System.arraycopy(Naive.attend(logits[head], kv, head * 2 * d + d, d), 0, heads, head * d, d);
          }
          System.arraycopy(Naive.dense(heads, projKernel, projBias, DIM, DIM), 0, out,
              ((n * height + r) * width + c) * DIM, DIM);
        }
      }
    }
    return out;
  }

  private static double[] row(float[] table, int index, int d) {
    double[] v = new double[d];
    for (int i = 0; i < d; i++) {
      v[i] = table[index * d + i];
    }
    return v;
  }

  @Test
  void everyVariableGetsAGradient() {
    try (MixerHarness h = new MixerHarness(Shape.of(2, 4, 4, DIM), scope -> new HaloAttention(scope, TINY))) {
      assertThat(h.model.trainableVariables()).extracting(ModelVariable::path).containsExactlyInAnyOrder(
          "mixer/q/kernel", "mixer/kv/kernel", "mixer/height_rel", "mixer/width_rel", "mixer/proj/kernel",
          "mixer/proj/bias");
      h.assertEveryGradientIsNonZero();
    }
  }

  /**
   * Central differences of {@code L = sum(output * R)} (accumulated in double from the float32 outputs) agree
   * with the analytic gradient for every element of the input and of every variable. With step 1e-2 the
   * truncation error is O(1e-4 |L'''|) and float32 rounding contributes about 1e-7 |L| / 1e-2; the tolerance
   * 2e-3 + 1% is far below the size of the gradients (O(0.1..1)), so a wrong gradient formula fails it.
   */
  @Test
  void analyticGradientAgreesWithFiniteDifferences() {
    try (MixerHarness h = new MixerHarness(Shape.of(1, 5, 3, DIM), scope -> new HaloAttention(scope, TINY))) {
      float[] weights = h.random(h.output.shape().size(), 1.0);
      List<Operand<TFloat32>> grads = h.gradients(h.weightedSum(weights));
      float[] x = h.randomInput();
      List<float[]> analytic = h.run(x, grads);
      List<float[]> perturbed = new ArrayList<>();
      perturbed.add(x);
      h.model.trainableVariables().forEach(v -> perturbed.add(h.values.get(v)));
      float step = 1e-2f;
      int checked = 0;
      double largest = 0;
      for (int t = 0; t < perturbed.size(); t++) {
        float[] target = perturbed.get(t);
        for (int i = 0; i < target.length; i++) {
          float saved = target[i];
          target[i] = saved + step;
          double plus = loss(h.run(x), weights);
          target[i] = saved - step;
          double minus = loss(h.run(x), weights);
          target[i] = saved;
          double numeric = (plus - minus) / (2 * step);
          double exact = analytic.get(t)[i];
          assertThat(exact).as("tensor %d element %d", t, i)
              .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 1e-2 * Math.abs(numeric)));
          largest = Math.max(largest, Math.abs(numeric));
          checked++;
        }
      }
      // input, q, kv, height_rel and width_rel, proj kernel and bias
      assertThat(checked)
          .isEqualTo(5 * 3 * DIM + DIM * DIM + 2 * DIM * DIM + 2 * 7 * (DIM / HEADS) + DIM * DIM + DIM);
      assertThat(largest).as("gradients must be large against the tolerance").isGreaterThan(0.1);
    }
  }

  private static double loss(float[] output, float[] weights) {
    double s = 0;
    for (int i = 0; i < output.length; i++) {
      s += (double) output[i] * weights[i];
    }
    return s;
  }
}
