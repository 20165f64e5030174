package org.stmzoo.recipes.augment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The CutMix box against timm's rand_bbox, worked by hand for fixed lambdas on a 32 x 24 image. */
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
}
