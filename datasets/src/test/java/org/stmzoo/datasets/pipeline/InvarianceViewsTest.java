package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The invariance views against expectations worked out by hand. Most sources are already at the resize target
 * (side {@code size / cropPct}), so the bicubic resize is the identity and every output pixel is a known source
 * pixel or zero.
 */
class InvarianceViewsTest {
  /** Gray image with a distinct value per pixel: {@code (y * w + x + 1) / (h * w + 1)}, never zero. */
  private static FloatImage pattern(int h, int w) {
    float[] data = new float[h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = (i + 1f) / (data.length + 1f);
    }
    return new FloatImage(data, h, w, 1);
  }

  private static FloatImage constant(int h, int w, float value) {
    float[] data = new float[h * w];
    java.util.Arrays.fill(data, value);
    return new FloatImage(data, h, w, 1);
  }

  /** Source pixel {@code (y, x)}, or 0 outside the source: zero padding. */
  private static float at(FloatImage image, int y, int x) {
    return y < 0 || x < 0 || y >= image.height() || x >= image.width() ? 0f : image.get(y, x, 0);
  }

  @Test
  void theReferenceViewResizesToTheSideEvalUses() {
    // 224 at 0.8: eval resizes to 280 (the float 0.8f widened to double would give 279). A source whose shorter
    // side is already 280 is then only cropped, at round((280 - 224) / 2) = 28 and round((300 - 224) / 2) = 38.
    FloatImage source = pattern(280, 300);
    assertThat(EvalResizeCrop.resizeTarget(224, 0.8f)).isEqualTo(280);
    assertThat(InvarianceViews.reference(source, 224, 0.8f).data())
        .containsExactly(source.crop(new CropBox(28, 38, 224, 224)).data());
    // 288 at 0.72: 400 (not 399); crop at (400 - 288) / 2 = 56
    FloatImage square = pattern(400, 400);
    assertThat(EvalResizeCrop.resizeTarget(288, 0.72f)).isEqualTo(400);
    assertThat(InvarianceViews.reference(square, 288, 0.72f).data())
        .containsExactly(square.crop(new CropBox(56, 56, 288, 288)).data());
    // and every crop-based view at level 0 is what eval feeds
    FloatImage other = pattern(61, 47);
    float[] eval = EvalResizeCrop.apply(other, 224, 0.8f).data();
    assertThat(InvarianceViews.reference(other, 224, 0.8f).data()).containsExactly(eval);
    assertThat(InvarianceViews.rotated(other, 224, 0.8f, 0, true).data()).containsExactly(eval);
    assertThat(InvarianceViews.rotated(other, 224, 0.8f, 0, false).data()).containsExactly(eval);
  }

  @Test
  void aShiftWithinTheImageMovesTheReferenceWindowByTheShift() {
    // 16x16 at size 8, crop 0.5: resized to 16 (identity); the reference window is rows and columns 4..11
    FloatImage source = pattern(16, 16);
    FloatImage reference = InvarianceViews.reference(source, 8, 0.5f);
    FloatImage down = InvarianceViews.translated(source, 8, 0.5f, 3, 0); // direction 0: rows + 3
    FloatImage upLeft = InvarianceViews.translated(source, 8, 0.5f, 3, 6); // direction 6: rows - 3, columns - 3
    FloatImage right = InvarianceViews.translated(source, 8, 0.5f, 2, 1); // direction 1: columns + 2
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat(reference.get(y, x, 0)).isEqualTo(at(source, 4 + y, 4 + x));
        assertThat(down.get(y, x, 0)).as("down (%d, %d)", y, x).isEqualTo(at(source, 7 + y, 4 + x));
        assertThat(upLeft.get(y, x, 0)).as("up-left (%d, %d)", y, x).isEqualTo(at(source, 1 + y, 1 + x));
        assertThat(right.get(y, x, 0)).as("right (%d, %d)", y, x).isEqualTo(at(source, 4 + y, 6 + x));
      }
    }
  }

  @Test
  void shiftZeroSitsOnePixelOffTheCentreCropWhereTheReferenceDoes() {
    // 10x15 at size 8, crop 0.8: resized to 10 (identity). Across, 15 - 8 = 7: the center crop's left edge is
    // round(3.5) = 4 (half to even), the shifted window's 15 // 2 - 8 // 2 = 3, in the reference as here.
    FloatImage source = pattern(10, 15);
    FloatImage reference = InvarianceViews.reference(source, 8, 0.8f);
    FloatImage zero = InvarianceViews.translated(source, 8, 0.8f, 0, 0);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat(reference.get(y, x, 0)).isEqualTo(at(source, 1 + y, 4 + x));
        assertThat(zero.get(y, x, 0)).isEqualTo(at(source, 1 + y, 3 + x));
      }
    }
    // 10x13: 13 - 8 = 5, round(2.5) = 2 = 13 // 2 - 4: the same window
    FloatImage narrower = pattern(10, 13);
    assertThat(InvarianceViews.translated(narrower, 8, 0.8f, 0, 0).data())
        .containsExactly(InvarianceViews.reference(narrower, 8, 0.8f).data());
  }

  @Test
  void aWindowClippedByTheBorderIsZeroPaddedCentrally() {
    FloatImage source = pattern(16, 16);
    // down by 6: rows 10..17 clipped to 10..15 (6 rows), padded with (8 - 6) / 2 = 1 zero row before and 1 after,
    // as the reference pads, whatever the direction
    FloatImage down = InvarianceViews.translated(source, 8, 0.5f, 6, 0);
    // up by 7: rows -3..4 clipped to 0..4 (5 rows), 1 zero row before and 2 after
    FloatImage up = InvarianceViews.translated(source, 8, 0.5f, 7, 2);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat(down.get(y, x, 0)).as("down (%d, %d)", y, x)
            .isEqualTo(y >= 1 && y <= 6 ? at(source, 10 + y - 1, 4 + x) : 0f);
        assertThat(up.get(y, x, 0)).as("up (%d, %d)", y, x)
            .isEqualTo(y >= 1 && y <= 5 ? at(source, y - 1, 4 + x) : 0f);
      }
    }
    // down by 16: rows 20..27, below the image: an empty frame
    assertThat(InvarianceViews.translated(source, 8, 0.5f, 16, 0).data()).containsOnly(0f);
  }

  @Test
  void quarterTurnsRotateCounterClockwise() {
    // 10x10 at size 8, crop 0.8: resized to 10 (identity), cropped at 1..8. A counter-clockwise quarter turn
    // takes the crop's top-right corner to the top-left: output (y, x) is input (x, 7 - y).
    FloatImage source = pattern(10, 10);
    FloatImage crop = InvarianceViews.reference(source, 8, 0.8f);
    FloatImage post = InvarianceViews.rotated(source, 8, 0.8f, 90, false);
    // the square resized image turned first, then cropped: the same window, as the crop is centred
    FloatImage pre = InvarianceViews.rotated(source, 8, 0.8f, 90, true);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        float expected = crop.get(x, 7 - y, 0);
        assertThat(post.get(y, x, 0)).as("post (%d, %d)", y, x).isEqualTo(expected);
        assertThat(pre.get(y, x, 0)).as("pre (%d, %d)", y, x).isEqualTo(expected);
      }
    }
    assertThat(post.get(0, 0, 0)).isEqualTo(at(source, 1, 8));
  }

  @Test
  void anOddAngleKeepsTheCentreAndFillsTheCornersWithZeros() {
    // a constant crop turned by 45 degrees: the centre stays the (8-bit) value, the corners fall outside
    FloatImage turned = InvarianceViews.rotated(constant(16, 16, 0.6f), 16, 1f, 45, false);
    float eightBit = Math.round(0.6f * 255) / 255f;
    assertThat(turned.get(8, 8, 0)).isCloseTo(eightBit, within(1e-6f));
    assertThat(turned.get(7, 7, 0)).isCloseTo(eightBit, within(1e-6f));
    assertThat(turned.get(0, 0, 0)).isZero();
    assertThat(turned.get(15, 15, 0)).isZero();
    assertThat(turned.get(0, 15, 0)).isZero();
  }

  @Test
  void scaleTwoHalvesTheContentAndScaleOneHalfDoublesIt() {
    // r = 2: shorter side 16 / 2 = 8, padded with (16 - 8) / 2 = 4 zeros on each side
    FloatImage half = InvarianceViews.scaled(constant(16, 16, 0.7f), 16, 2.0);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        boolean inside = y >= 4 && y < 12 && x >= 4 && x < 12;
        assertThat(half.get(y, x, 0)).as("(%d, %d)", y, x).isCloseTo(inside ? 0.7f : 0f, within(1e-6f));
      }
    }
    FloatImage source = pattern(16, 16);
    FloatImage halved = BicubicResize.resize(source, 8, 8);
    FloatImage patterned = InvarianceViews.scaled(source, 16, 2.0);
    assertThat(patterned.crop(new CropBox(4, 4, 8, 8)).data()).containsExactly(halved.data());
    // r = 0.5: shorter side 32, the central 16x16 of it: the middle half of the image at twice the size
    FloatImage doubled = BicubicResize.resize(source, 32, 32);
    assertThat(InvarianceViews.scaled(source, 16, 0.5).data())
        .containsExactly(doubled.crop(new CropBox(8, 8, 16, 16)).data());
  }
}
