package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandAugmentTest {
  private static Image8 gray(int h, int w, int... values) {
    return new Image8(values, h, w, 1);
  }

  @Test
  void parsesTimmConfigStrings() {
    assertThat(RandAugment.Config.parse("rand-m9-mstd0.5-inc1"))
        .isEqualTo(new RandAugment.Config(9, 2, 0.5, 0.5, 10, true));
    assertThat(RandAugment.Config.parse("rand-n3-m7-p1.0-mmax20"))
        .isEqualTo(new RandAugment.Config(7, 3, 1.0, 0, 20, false));
    assertThat(RandAugment.Config.parse("rand-mstd101").magnitudeStd()).isInfinite();
    assertThatThrownBy(() -> RandAugment.Config.parse("augmix-m5")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RandAugment.Config.parse("rand-m9-x3")).hasMessageContaining("x3");
  }

  @Test
  void lookUpTableOpsFollowPil() {
    Image8 image = gray(1, 4, 0, 63, 100, 200);
    PointOps.invert(image);
    assertThat(image.values()).containsExactly(255, 192, 155, 55);
    image = gray(1, 4, 0, 63, 100, 200);
    PointOps.posterize(image, 2); // keep the two top bits: mask 0b11000000
    assertThat(image.values()).containsExactly(0, 0, 64, 192);
    image = gray(1, 4, 0, 63, 128, 200);
    PointOps.solarize(image, 128);
    assertThat(image.values()).containsExactly(0, 63, 127, 55);
    image = gray(1, 4, 0, 100, 120, 200);
    PointOps.solarizeAdd(image, 50, 128);
    assertThat(image.values()).containsExactly(50, 150, 170, 200);
  }

  @Test
  void autoContrastStretchesEachChannel() {
    // channel 0 spans 50..150: scale 2.55, offset -127.5; channel 1 is flat and stays as it is.
    Image8 image = new Image8(new int[] {50, 9, 100, 9, 150, 9}, 1, 3, 2);
    PointOps.autoContrast(image);
    assertThat(image.values()).containsExactly(0, 9, 127, 9, 255, 9);
  }

  @Test
  void equalizeUsesPilsStepFormula() {
    // 255 pixels at level 10 and 255 at 20: step = (510 - 255) / 255 = 1, lut[10] = 0, lut[20] = 255.
    int[] values = new int[510];
    for (int i = 0; i < values.length; i++) {
      values[i] = i < 255 ? 10 : 20;
    }
    Image8 image = new Image8(values, 1, 510, 1);
    PointOps.equalize(image);
    assertThat(image.values()[0]).isZero();
    assertThat(image.values()[509]).isEqualTo(255);
  }

  @Test
  void enhanceOpsBlendWithTheirDegenerateImage() {
    Image8 image = new Image8(new int[] {200, 100, 50}, 1, 1, 3);
    PointOps.color(image, 0); // luminance (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 124
    assertThat(image.values()).containsExactly(124, 124, 124);
    image = gray(1, 2, 201, 10);
    PointOps.brightness(image, 0.5);
    assertThat(image.values()).containsExactly(100, 5);
    image = gray(1, 2, 100, 200); // mean 150: 150 + 2 * (v - 150), clipped
    PointOps.contrast(image, 2);
    assertThat(image.values()).containsExactly(50, 250);
    // 3x3: only the center is smoothed, (8 * 10 + 5 * 140) / 13 + 0.5 -> 60; factor 0 = the smoothed image.
    image = gray(3, 3, 10, 10, 10, 10, 140, 10, 10, 10, 10);
    PointOps.sharpness(image, 0);
    assertThat(image.values()).containsExactly(10, 10, 10, 10, 60, 10, 10, 10, 10);
  }

  @Test
  void affineTranslateShiftsExactlyAndFillsUncoveredPixels() {
    Image8 image = gray(2, 3, 1, 2, 3, 4, 5, 6);
    Image8 shifted = AffineWarp.warp(image, AffineWarp.translate(1, 0), new int[] {99});
    assertThat(shifted.values()).containsExactly(2, 3, 99, 5, 6, 99);
    Image8 same = AffineWarp.warp(image, AffineWarp.translate(0, 0), new int[] {99});
    assertThat(same.values()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void warpsKeepAFlatImageExactlyAndFillTheRestWithTheMeanColour() {
    // PIL's cubic of four equal values is that value exactly, so a flat image keeps its level wherever the sample
    // point falls inside it (weights summing to 0.99999... truncated 255 to 254 here); the rest is the fill.
    int[] fill = {124, 116, 104};
    for (int level : new int[] {255, 200, 1}) {
      int[] values = new int[64 * 64 * 3];
      java.util.Arrays.fill(values, level);
      Image8 image = new Image8(values, 64, 64, 3);
      double[][] matrices = {AffineWarp.rotation(5, 64, 64), AffineWarp.rotation(-30, 64, 64),
          AffineWarp.shearX(0.21), AffineWarp.shearY(-0.13), AffineWarp.translate(3.7, 0),
          AffineWarp.translate(0, -10.35), AffineWarp.translate(-6.4, 2.6)};
      for (double[] m : matrices) {
        int[] out = AffineWarp.warp(image, m, fill).values();
        int kept = 0;
        for (int p = 0; p < 64 * 64; p++) {
          int[] pixel = {out[3 * p], out[3 * p + 1], out[3 * p + 2]};
          if (pixel[0] == level && pixel[1] == level && pixel[2] == level) {
            kept++;
          } else {
            assertThat(pixel).as("level %d, matrix %s, pixel %d", level, java.util.Arrays.toString(m), p)
                .containsExactly(fill);
          }
        }
        // Pillow keeps 3456 (the 10.35-row shift) to 3936 (5 degrees) of the 4096 pixels
        assertThat(kept).as("level %d, matrix %s", level, java.util.Arrays.toString(m)).isGreaterThan(64 * 48);
      }
    }
    Image8 rotated = AffineWarp.warp(new Image8(new int[16 * 16 * 3], 16, 16, 3), AffineWarp.rotation(30, 16, 16),
        fill);
    assertThat(java.util.Arrays.copyOf(rotated.values(), 3)).containsExactly(fill);
  }

  @Test
  void quarterAndHalfTurnsOfANonSquareImageMovePixelsExactly() {
    // Pillow 12.3 warps a non-square image for 90 and 270 degrees (180 is its transpose): its cos and sin rounded to
    // 15 decimals put every sample point on a pixel centre, where the unrounded 6e-17 left 155 as 154.
    int[] values = new int[4 * 6];
    for (int i = 0; i < values.length; i++) {
      values[i] = 10 * i + 5;
    }
    Image8 image = gray(4, 6, values);
    int[] fill = {99};
    assertThat(AffineWarp.warp(image, AffineWarp.rotation(90, 6, 4), fill).values()).containsExactly(
        99, 45, 105, 165, 225, 99, 99, 35, 95, 155, 215, 99, 99, 25, 85, 145, 205, 99, 99, 15, 75, 135, 195, 99);
    int[] clockwise = {
        99, 195, 135, 75, 15, 99, 99, 205, 145, 85, 25, 99, 99, 215, 155, 95, 35, 99, 99, 225, 165, 105, 45, 99};
    assertThat(AffineWarp.warp(image, AffineWarp.rotation(-90, 6, 4), fill).values()).containsExactly(clockwise);
    assertThat(AffineWarp.warp(image, AffineWarp.rotation(270, 6, 4), fill).values()).containsExactly(clockwise);
    int[] reversed = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      reversed[i] = values[values.length - 1 - i];
    }
    assertThat(AffineWarp.warp(image, AffineWarp.rotation(-180, 6, 4), fill).values()).containsExactly(reversed);
  }

  @Test
  void everyOpKeepsShapeAndRange() {
    RandAugment augment = new RandAugment(RandAugment.Config.parse("rand-m9-mstd0.5-inc1"), new int[] {124, 116, 104});
    SplittableRandom random = new SplittableRandom(11);
    for (RandAugment.Op op : RandAugment.Op.values()) {
      int[] values = new int[16 * 12 * 3];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextInt(256);
      }
      Image8 out = augment.applyAtMagnitude(op, new Image8(values, 16, 12, 3), 9, random);
      assertThat(out.height()).as(op.name()).isEqualTo(16);
      assertThat(out.width()).isEqualTo(12);
      assertThat(java.util.Arrays.stream(out.values()).allMatch(v -> v >= 0 && v <= 255)).as(op.name()).isTrue();
    }
  }
}
