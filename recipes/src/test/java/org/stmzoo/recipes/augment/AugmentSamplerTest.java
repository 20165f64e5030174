package org.stmzoo.recipes.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CutMix box against timm's rand_bbox, worked by hand for fixed lambdas on a 32 x 24 image; and the draws of
 * neighbouring seeds independent.
 */
class AugmentSamplerTest {
  @Test
  void boxSidesAreTheImageSidesTimesTheSquareRootOfOneMinusLambda() {
    // lambda 0.75: sqrt(0.25) = 0.5, cut 16 x 12 around (16, 12)
    assertThat(AugmentSampler.cutmixBox(0.75, 32, 24, 16, 12)).containsExactly(8, 24, 6, 18);
    // lambda 0.5: 32 * 0.7071 = 22.6 -> 22, 24 * 0.7071 = 16.97 -> 16 (int() truncates)
    assertThat(AugmentSampler.cutmixBox(0.5, 32, 24, 16, 12)).containsExactly(5, 27, 4, 20);
    // 32 * sqrt(1 - lambda) = 21.7: int() gives 21, so 10 each side (rounding would give 11)
    double lambda = 1 - (21.7 / 32) * (21.7 / 32);
    assertThat(AugmentSampler.cutmixBox(lambda, 32, 24, 16, 12)[0]).isEqualTo(6);
    assertThat(AugmentSampler.cutmixBox(lambda, 32, 24, 16, 12)[1]).isEqualTo(26);
  }

  @Test
  void boxIsClippedToTheImage() {
    // lambda 0.75 (16 x 12) around the corner (0, 0) and around (31, 23)
    assertThat(AugmentSampler.cutmixBox(0.75, 32, 24, 0, 0)).containsExactly(0, 8, 0, 6);
    assertThat(AugmentSampler.cutmixBox(0.75, 32, 24, 31, 23)).containsExactly(23, 32, 17, 24);
    // lambda 0: the whole image around the centre; lambda 1: an empty box
    assertThat(AugmentSampler.cutmixBox(0, 32, 24, 16, 12)).containsExactly(0, 32, 0, 24);
    int[] empty = AugmentSampler.cutmixBox(1, 32, 24, 16, 12);
    assertThat((empty[1] - empty[0]) * (empty[3] - empty[2])).isZero();
  }

  /**
   * Seeded as {@code seed * 0x9E3779B97F4A7C15L + step}, seed 1's stream was seed 0's shifted by one draw, so in
   * three steps of four seed 1 erased the boxes seed 0 erased, moved one image along (seed 0 left its first image
   * unerased, one draw): runs with seeds 0, 1, 2 for error bars augmented alike.
   */
  @Test
  void neighbouringSeedsDoNotRepeatEachOthersErasedBoxes() {
    AugmentSampler seed0 = new AugmentSampler(0.8, 1.0, 0.5, 0.25, 224, 224, 0);
    AugmentSampler seed1 = new AugmentSampler(0.8, 1.0, 0.5, 0.25, 224, 224, 1);
    int batch = 64;
    int repeated = 0;
    int erasedAlike = 0;
    for (long step = 0; step < 200; step++) {
      int[] a = seed0.draw(step, batch).eraseBoxes();
      int[] b = seed1.draw(step, batch).eraseBoxes();
      if (Arrays.equals(a, 4, a.length, b, 0, b.length - 4)) {
        repeated++;
      }
      for (int i = 0; i < batch; i++) {
        boolean erased = a[4 * i + 1] > 0 && b[4 * i + 1] > 0; // height 0: not erased
        if (erased && Arrays.equals(a, 4 * i, 4 * i + 4, b, 4 * i, 4 * i + 4)) {
          erasedAlike++;
        }
      }
    }
    assertThat(repeated).isZero();
    assertThat(erasedAlike).isZero();
  }
}
