package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.ndarray.Shape;

class SwinMixerTest {
  private static final int DIM = 8;
  private static final int HEADS = 2;

  @Test
  void shiftMaskSeparatesTokensThatTheCyclicShiftBroughtTogether() {
    checkShiftMask(6, 6, 3, 1);
    checkShiftMask(6, 9, 3, 1);
    checkShiftMask(8, 4, 4, 2);
  }

  /**
   * Independent formulation: after rolling by -shift, the last {@code shift} rows (columns) hold wrapped-around
   * content; two tokens of a window may attend to each other iff they agree on being wrapped, row and column.
   */
  private static void checkShiftMask(int height, int width, int size, int shift) {
    float[][][] mask = SwinMixer.shiftMask(height, width, size, shift);
    int perRow = width / size;
    assertThat(mask.length).isEqualTo((height / size) * perRow);
    int masked = 0;
    for (int win = 0; win < mask.length; win++) {
      for (int i = 0; i < size * size; i++) {
        for (int j = 0; j < size * size; j++) {
          int ri = win / perRow * size + i / size;
          int ci = win % perRow * size + i % size;
          int rj = win / perRow * size + j / size;
          int cj = win % perRow * size + j % size;
          boolean together = (ri >= height - shift) == (rj >= height - shift)
              && (ci >= width - shift) == (cj >= width - shift);
          assertThat(mask[win][i][j]).as("window %d tokens %d, %d", win, i, j).isEqualTo(together ? 0f : -100f);
          masked += together ? 0 : 1;
        }
      }
    }
    assertThat(masked).isPositive();
  }

  @Test
  void relativePositionIndexEncodesCoordinateDifferences() {
    int s = 3;
    int[] index = WindowAttention.relativePositionIndex(s);
    assertThat(index).hasSize(s * s * s * s);
    for (int i = 0; i < s * s; i++) {
      for (int j = 0; j < s * s; j++) {
        int entry = index[i * s * s + j];
        assertThat(entry / (2 * s - 1) - (s - 1)).isEqualTo(i / s - j / s);
        assertThat(entry % (2 * s - 1) - (s - 1)).isEqualTo(i % s - j % s);
      }
    }
    assertThat(index).contains(0, (2 * s - 1) * (2 * s - 1) - 1);
  }

  @Test
  void windowIsTheMapWhenTheMapIsNoLargerThanIt() {
    assertThat(windowOf(56, true)).isEqualTo(new SwinMixer.Window(7, 3));
    assertThat(windowOf(56, false)).isEqualTo(new SwinMixer.Window(7, 0));
    assertThat(windowOf(7, true)).isEqualTo(new SwinMixer.Window(7, 0));
    assertThat(windowOf(2, true)).isEqualTo(new SwinMixer.Window(2, 0));
    assertThat(windowOf(16, true)).isEqualTo(new SwinMixer.Window(7, 3));
  }

  private static SwinMixer.Window windowOf(int mapSize, boolean shifted) {
    return SwinMixer.window(new SwinMixer.Config(DIM, HEADS, 7, mapSize, mapSize, shifted));
  }

  @Test
  void shiftedWindowAttentionMatchesANaiveLoop() {
    checkAgainstNaive(2, 4, 4, 2, true);
    checkAgainstNaive(2, 4, 4, 2, false);
    // 5x3 is padded to 6x4 windows of 2
    checkAgainstNaive(1, 5, 3, 2, true);
  }

  private static void checkAgainstNaive(int batch, int height, int width, int size, boolean shifted) {
    SwinMixer.Config config = new SwinMixer.Config(DIM, HEADS, size, height, width, shifted);
    try (MixerHarness h =
        new MixerHarness(Shape.of(batch, height, width, DIM), scope -> new SwinMixer(scope, config))) {
      float[] x = h.randomInput();
      Naive.assertClose(h.run(x), naive(h, x, batch, height, width, size, shifted ? size / 2 : 0), 1e-4);
    }
  }

  /**
   * Swin by hand: zero-pad, roll by -shift, attend inside each window with the relative bias of the pair and
   * -100 between tokens that disagree on being wrapped around, roll back, crop.
   */
  private static double[] naive(MixerHarness h, float[] x, int batch, int height, int width, int s, int shift) {
    float[] qkvKernel = h.values.get(h.variable("qkv/kernel"));
    float[] qkvBias = h.values.get(h.variable("qkv/bias"));
    float[] projKernel = h.values.get(h.variable("proj/kernel"));
    float[] projBias = h.values.get(h.variable("proj/bias"));
    float[] table = h.values.get(h.variable("relative_position_bias_table"));
    int d = DIM / HEADS;
    int hp = (height + s - 1) / s * s;
    int wp = (width + s - 1) / s * s;
    double[] out = new double[batch * height * width * DIM];
    for (int n = 0; n < batch; n++) {
      for (int wr = 0; wr < hp / s; wr++) {
        for (int wc = 0; wc < wp / s; wc++) {
          // window tokens, row-major, in the shifted padded map; their source pixels before the roll
          double[][] qkv = new double[s * s][];
          int[] rows = new int[s * s];
          int[] cols = new int[s * s];
          for (int t = 0; t < s * s; t++) {
            rows[t] = wr * s + t / s;
            cols[t] = wc * s + t % s;
            double[] pixel = Naive.pixel(x, height, width, DIM, n, (rows[t] + shift) % hp, (cols[t] + shift) % wp);
            qkv[t] = Naive.dense(pixel, qkvKernel, qkvBias, DIM, 3 * DIM);
          }
          for (int i = 0; i < s * s; i++) {
            double[] heads = new double[DIM];
            for (int head = 0; head < HEADS; head++) {
              double[] logits = new double[s * s];
              for (int j = 0; j < s * s; j++) {
                int rel = (i / s - j / s + s - 1) * (2 * s - 1) + (i % s - j % s + s - 1);
                boolean wrapI = rows[i] >= hp - shift;
                boolean wrapJ = rows[j] >= hp - shift;
                boolean wrapCi = cols[i] >= wp - shift;
                boolean wrapCj = cols[j] >= wp - shift;
                double mask = shift > 0 && (wrapI != wrapJ || wrapCi != wrapCj) ? -100 : 0;
                logits[j] = Naive.dot(qkv[i], head * d, qkv[j], DIM + head * d, d) / Math.sqrt(d)
                    + table[rel * HEADS + head] + mask;
              }
              System.arraycopy(Naive.attend(logits, qkv, 2 * DIM + head * d, d), 0, heads, head * d, d);
            }
            double[] y = Naive.dense(heads, projKernel, projBias, DIM, DIM);
            int r = (rows[i] + shift) % hp;
            int c = (cols[i] + shift) % wp;
            if (r < height && c < width) {
              System.arraycopy(y, 0, out, ((n * height + r) * width + c) * DIM, DIM);
            }
          }
        }
      }
    }
    return out;
  }

  @Test
  void everyVariableGetsAGradient() {
    SwinMixer.Config config = new SwinMixer.Config(DIM, HEADS, 2, 4, 4, true);
    try (MixerHarness h = new MixerHarness(Shape.of(2, 4, 4, DIM), scope -> new SwinMixer(scope, config))) {
      assertThat(h.model.trainableVariables()).extracting(ModelVariable::path).containsExactlyInAnyOrder(
          "mixer/relative_position_bias_table", "mixer/qkv/kernel", "mixer/qkv/bias", "mixer/proj/kernel",
          "mixer/proj/bias");
      h.assertEveryGradientIsNonZero();
    }
  }

  /**
   * A config for 7x7 maps picks window 7 without a shift; at 14x14 the reference shifts by 3. Fed a 14x14 map it
   * must refuse rather than compute the 7x7 rule on it, on the whole map and on bands.
   */
  @Test
  void refusesAMapOfAnotherSizeThanItWasBuiltFor() {
    try (TinyGraph g = new TinyGraph()) {
      SwinMixer mixer = new SwinMixer(g.scope("mixer"), new SwinMixer.Config(DIM, HEADS, 7, 7, 7, true));
      assertThat(mixer.window()).isEqualTo(new SwinMixer.Window(7, 0));
      var map = g.input("map", Shape.of(-1, 14, 14, DIM), new float[0]);
      assertThatThrownBy(() -> mixer.call(map, g.model.training()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built for 7x7")
          .hasMessageContaining("14x14");
      var band = g.input("band", Shape.of(-1, 7, 14, DIM), new float[0]);
      assertThatThrownBy(() -> mixer.callBands(java.util.List.of(band, band), g.model.training()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("14x14");
      var wide = g.input("wide", Shape.of(-1, 7, 8, DIM), new float[0]);
      assertThatThrownBy(() -> mixer.call(wide, g.model.training()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7x8");
    }
  }
}
