package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class WindowPartitionTest {
  private static final int B = 2;
  private static final int H = 4;
  private static final int W = 6;
  private static final int C = 3;
  private static final int S = 2;

  @Test
  void partitionPutsEachWindowRowMajor() {
    try (MixerHarness h = new MixerHarness(Shape.of(B, H, W, C),
        scope -> (x, training) -> WindowPartition.partition(scope.tf(), x, S))) {
      assertThat(h.output.shape()).isEqualTo(Shape.of(B, (H / S) * (W / S), S * S, C));
      float[] x = h.randomInput();
      float[] windows = h.run(x);
      int perRow = W / S;
      for (int n = 0; n < B; n++) {
        for (int win = 0; win < (H / S) * perRow; win++) {
          for (int t = 0; t < S * S; t++) {
            int r = win / perRow * S + t / S;
            int c = win % perRow * S + t % S;
            for (int ch = 0; ch < C; ch++) {
              float expected = x[((n * H + r) * W + c) * C + ch];
              assertThat(windows[((n * (H / S) * perRow + win) * S * S + t) * C + ch])
                  .as("window %d token %d", win, t).isEqualTo(expected);
            }
          }
        }
      }
    }
  }

  @Test
  void reverseUndoesPartition() {
    try (MixerHarness h = new MixerHarness(Shape.of(B, H, W, C), scope -> (x, training) ->
        WindowPartition.reverse(scope.tf(), WindowPartition.partition(scope.tf(), x, S), S, H, W))) {
      float[] x = h.randomInput();
      assertThat(h.run(x)).containsExactly(x);
    }
  }

  @Test
  void padsBottomRightWithZerosAndCropsBack() {
    try (MixerHarness h = new MixerHarness(Shape.of(1, 3, 5, 1),
        scope -> (x, training) -> WindowPartition.padToMultiple(scope.tf(), x, 4))) {
      assertThat(h.output.shape()).isEqualTo(Shape.of(1, 4, 8, 1));
      float[] x = h.randomInput();
      float[] padded = h.run(x);
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 8; c++) {
          float expected = r < 3 && c < 5 ? x[r * 5 + c] : 0f;
          assertThat(padded[r * 8 + c]).as("(%d, %d)", r, c).isEqualTo(expected);
        }
      }
    }
    try (MixerHarness h = new MixerHarness(Shape.of(1, 3, 5, 1), scope -> (x, training) -> WindowPartition.crop(
        scope.tf(), WindowPartition.padToMultiple(scope.tf(), x, 4), 3, 5))) {
      float[] x = h.randomInput();
      assertThat(h.run(x)).containsExactly(x);
    }
  }

  @Test
  void rejectsMapsThatAreNotWindowMultiples() {
    try (MixerHarness h = new MixerHarness(Shape.of(1, 3, 4, 1), scope -> (x, training) -> x)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> WindowPartition.partition(h.model.tf(), h.input, 2)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
