package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.LabeledImage;

class TransformsTest {
  private static FloatImage constant(int h, int w, int c, float value) {
    float[] data = new float[h * w * c];
    java.util.Arrays.fill(data, value);
    return new FloatImage(data, h, w, c);
  }

  /** A non-constant image: value (7y + 3x + c) mod 101 / 100, so shifted or rescaled windows differ. */
  private static FloatImage gradient(int h, int w, int c) {
    float[] data = new float[h * w * c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int k = 0; k < c; k++) {
          data[(y * w + x) * c + k] = ((7 * y + 3 * x + k) % 101) / 100f;
        }
      }
    }
    return new FloatImage(data, h, w, c);
  }

  @Test
  void randomResizedCropBoxesStayInBoundsAndInTheirRanges() {
    SplittableRandom random = new SplittableRandom(1);
    int[][] sizes = {{28, 28}, {224, 180}, {5, 300}, {300, 5}, {1, 1}, {2, 3}};
    for (int[] size : sizes) {
      for (int i = 0; i < 2000; i++) {
        CropBox box = RandomResizedCrop.sample(size[0], size[1], random);
        assertThat(box.fitsIn(size[0], size[1])).as("%s in %dx%d", box, size[0], size[1]).isTrue();
      }
    }
    // A square image never needs the fallback: every box has area fraction and aspect near the sampled ranges.
    for (int i = 0; i < 2000; i++) {
      CropBox box = RandomResizedCrop.sample(200, 200, random);
      double area = box.height() * box.width() / 40000.0;
      double ratio = (double) box.width() / box.height();
      assertThat(area).isBetween(0.07, 1.0);
      assertThat(ratio).isBetween(0.7, 1.4);
    }
  }

  @Test
  void randomResizedCropFallsBackToAClampedCenterCrop() {
    // A 1x100 strip cannot fit any sampled box (height would be >= 2), so torchvision's fallback applies:
    // ratio 100 > 4/3 -> h = 1, w = round(1 * 4/3) = 1, centered at (100 - 1) // 2 = 49.
    assertThat(RandomResizedCrop.sample(1, 100, new SplittableRandom(3))).isEqualTo(new CropBox(0, 49, 1, 1));
    assertThat(RandomResizedCrop.sample(100, 1, new SplittableRandom(3))).isEqualTo(new CropBox(49, 0, 1, 1));
  }

  @Test
  void bicubicResizeKeepsAConstantImageConstant() {
    FloatImage flat = constant(7, 5, 3, 0.3f);
    for (int[] out : new int[][] {{13, 17}, {3, 2}, {7, 11}, {1, 1}}) {
      FloatImage resized = BicubicResize.resize(flat, out[0], out[1]);
      assertThat(resized.height()).isEqualTo(out[0]);
      assertThat(resized.width()).isEqualTo(out[1]);
      for (float v : resized.data()) {
        assertThat(v).isCloseTo(0.3f, within(1e-6f));
      }
    }
    FloatImage cropped = BicubicResize.resize(flat, new CropBox(2, 1, 4, 3), 9, 9);
    for (float v : cropped.data()) {
      assertThat(v).isCloseTo(0.3f, within(1e-6f));
    }
  }

  @Test
  void bicubicResizeMatchesPilCoefficientsOnATinyRow() {
    // Upscaling [0.2, 0.6] to 4 pixels: scale 0.5, centers 0.25/0.75/1.25/1.75, PIL kernel (a = -0.5) at the
    // tap offsets: k(0.25) = 0.8671875, k(0.75) = 0.2265625, k(1.25) = -0.0703125 (k(1.75) falls outside).
    FloatImage row = new FloatImage(new float[] {0.2f, 0.6f}, 1, 2, 1);
    float[] out = BicubicResize.resize(row, 1, 4).data();
    assertThat(out[0]).isCloseTo((float) ((0.2 * 0.8671875 - 0.6 * 0.0703125) / 0.796875), within(1e-6f));
    assertThat(out[1]).isCloseTo((float) ((0.2 * 0.8671875 + 0.6 * 0.2265625) / 1.09375), within(1e-6f));
    assertThat(out[2]).isCloseTo((float) ((0.6 * 0.8671875 + 0.2 * 0.2265625) / 1.09375), within(1e-6f));
    assertThat(out[3]).isCloseTo((float) ((0.6 * 0.8671875 - 0.2 * 0.0703125) / 0.796875), within(1e-6f));
    // Halving: both source pixels sit at +-0.25 (in output units) from the center, equal weights -> the mean.
    assertThat(BicubicResize.resize(row, 1, 1).data()[0]).isCloseTo(0.4f, within(1e-6f));
    // The same along the vertical axis.
    FloatImage column = new FloatImage(new float[] {0.2f, 0.6f}, 2, 1, 1);
    assertThat(BicubicResize.resize(column, 4, 1).data()).containsExactly(out);
  }

  @Test
  void bicubicDownscaleMatchesPilReferenceValues() {
    // 7 -> 3 pixels (scale 7/3): PIL widens the bicubic kernel (a = -0.5, support 2) by the scale, so each output
    // pixel has up to 7 taps. Reference values from a plain-Python transcription of PIL's precompute_coeffs
    // (center = (i + 0.5) * scale, taps int(center -+ support + 0.5) clipped to [0, 7), weight
    // k((j - center + 0.5) / scale), normalised to sum 1), in double precision:
    //   pixel 0: taps 0..5, weights .3830645161 .4395161290 .2137096774 0 -.0322580645 -.0040322581
    //   pixel 1: taps 0..6, weights -.0305250305 .0451770452 .2759462759 .4188034188 (symmetric)
    //   pixel 2: taps 1..6, pixel 0's weights reversed
    // Without the widening (support 2, unscaled kernel) the values differ by more than 0.05.
    float[] values = {0.1f, 0.9f, 0.3f, 0.7f, 0.2f, 0.5f, 0.8f};
    float[] reference = {0.489516129f, 0.466910867f, 0.555645161f};
    FloatImage row = new FloatImage(values, 1, 7, 1);
    assertThat(BicubicResize.resize(row, 1, 3).data()).containsExactly(reference, within(1e-6f));
    FloatImage column = new FloatImage(values, 7, 1, 1);
    assertThat(BicubicResize.resize(column, 3, 1).data()).containsExactly(reference, within(1e-6f));
  }

  @Test
  void evalCropsTheExactCenterWindowOfTheShorterSideResize() {
    // 28x40, size 32, crop 0.875: shorter side to floor(32 / 0.875) = 36, longer to int(36 * 40 / 28) = 51;
    // crop top round((36 - 32) / 2) = 2, left round((51 - 32) / 2) = round(9.5) = 10 (half-to-even).
    FloatImage landscape = gradient(28, 40, 3);
    FloatImage resized = BicubicResize.resize(landscape, 36, 51);
    assertThat(EvalResizeCrop.resizeShorterSide(landscape, 36).data()).containsExactly(resized.data());
    assertCropWindow(EvalResizeCrop.apply(landscape, 32, 0.875f), resized, 2, 10, 32);
    // Portrait: the same geometry transposed, 51x36 with the crop at top 10, left 2.
    FloatImage portrait = gradient(40, 28, 3);
    assertCropWindow(EvalResizeCrop.apply(portrait, 32, 0.875f), BicubicResize.resize(portrait, 51, 36), 10, 2, 32);
  }

  /** {@code out} is the {@code size x size} window of {@code resized} at (top, left), pixel by pixel. */
  private static void assertCropWindow(FloatImage out, FloatImage resized, int top, int left, int size) {
    assertThat(out.height()).isEqualTo(size);
    assertThat(out.width()).isEqualTo(size);
    assertThat(out.channels()).isEqualTo(resized.channels());
    int c = resized.channels();
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int k = 0; k < c; k++) {
          assertThat(out.data()[(y * size + x) * c + k]).as("(%d, %d, %d)", y, x, k)
              .isEqualTo(resized.data()[((y + top) * resized.width() + x + left) * c + k]);
        }
      }
    }
  }

  @Test
  void evalResizesTheShorterSideThenCropsTheCenter() {
    assertThat(EvalResizeCrop.centerCrop(36, 36, 32)).isEqualTo(new CropBox(2, 2, 32, 32));
    // Python's round is half-to-even: round(0.5) = 0, round(1.5) = 2.
    assertThat(EvalResizeCrop.centerCrop(5, 4, 4)).isEqualTo(new CropBox(0, 0, 4, 4));
    assertThat(EvalResizeCrop.centerCrop(7, 4, 4)).isEqualTo(new CropBox(2, 0, 4, 4));
    FloatImage out = EvalResizeCrop.apply(constant(28, 40, 1, 0.7f), 32, 0.875f);
    assertThat(out.height()).isEqualTo(32);
    assertThat(out.width()).isEqualTo(32);
    for (float v : out.data()) {
      assertThat(v).isCloseTo(0.7f, within(1e-6f));
    }
  }

  @Test
  void evalResizeTargetIsTimmsFloorOfSizeOverTheDecimalCropFraction() {
    // Python: math.floor(224 / 0.8) = 280, but 0.8f = 0.800000011920929 and 224 / that floors to 279.
    assertThat(EvalResizeCrop.resizeTarget(224, 0.8f)).isEqualTo(280);
    assertThat(EvalResizeCrop.resizeTarget(384, 0.6f)).isEqualTo(640);
    assertThat(EvalResizeCrop.resizeTarget(256, 0.85f)).isEqualTo(301);
    assertThat(EvalResizeCrop.resizeTarget(224, 0.875f)).isEqualTo(256);
    assertThat(EvalResizeCrop.resizeTarget(224, 0.9f)).isEqualTo(248);
    assertThat(EvalResizeCrop.resizeTarget(224, 1f)).isEqualTo(224);
    // And the whole eval transform uses it: a 300x300 image is resized to 280 before the 224 crop, so the crop's
    // border is (280 - 224) / 2 = 28 pixels; a 279 resize would differ. Checked by comparing with resize + crop.
    FloatImage ramp = gradient(300, 300, 1);
    FloatImage expected = BicubicResize.resize(ramp, 280, 280).crop(new CropBox(28, 28, 224, 224));
    assertThat(EvalResizeCrop.apply(ramp, 224, 0.8f).data()).containsExactly(expected.data());
  }

  @Test
  void cropFractionOutsideZeroToOneIsRefusedAtConstruction() {
    float[] one = {0.5f};
    for (float bad : new float[] {1.2f, 0f, -0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> TransformConfig.eval(224, bad, one, one, false))
          .as("crop fraction %s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("crop fraction must be in (0, 1]").hasMessageContaining(String.valueOf(bad));
    }
    assertThat(TransformConfig.eval(224, 1f, one, one, false).cropPct()).isEqualTo(1f);
  }

  @Test
  void onlyBicubicInterpolationIsAccepted() {
    float[] one = {0.5f};
    assertThat(TransformConfig.eval(224, 0.9f, one, one, false).interpolation()).isEqualTo("bicubic");
    assertThat(TransformConfig.eval(224, 0.9f, one, one, false, "BICUBIC").interpolation()).isEqualTo("bicubic");
    TransformConfig train = TransformConfig.train(224, one, one, null, false).withMinScale(0.5f);
    assertThat(train.interpolation()).isEqualTo("bicubic");
    for (String other : new String[] {"bilinear", "nearest", "random", ""}) {
      assertThatThrownBy(() -> TransformConfig.eval(224, 0.9f, one, one, false, other))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + other + "'")
          .hasMessageContaining("bicubic");
    }
    assertThatThrownBy(() -> TransformConfig.eval(224, 0.9f, one, one, false, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interpolation 'null'");
  }

  @Test
  void normalisationUsesPerChannelMeanAndStd() {
    float[] pixels = new float[4 * 4 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 17) / 16f;
    }
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    // 4x4 at crop fraction 1: resize and crop are both the identity, leaving only the normalisation.
    SampleTransform transform = new SampleTransform(TransformConfig.eval(4, 1f, mean, std, false), 3);
    float[] out = new float[pixels.length + 5];
    transform.transformInto(new LabeledImage(pixels, 4, 4, 3, 0), new SplittableRandom(0), out, 5);
    for (int i = 0; i < pixels.length; i++) {
      assertThat(out[5 + i]).isCloseTo((pixels[i] - mean[i % 3]) / std[i % 3], within(1e-6f));
    }
  }

  @Test
  void trainTransformOutputsTheConfiguredShapeAndGrayBecomesRgb() {
    TransformConfig config = TransformConfig.train(12, new float[] {0.5f}, new float[] {0.5f},
        "rand-m9-mstd0.5-inc1", true);
    SampleTransform transform = new SampleTransform(config, 1);
    assertThat(transform.outputChannels()).isEqualTo(3);
    float[] gray = new float[28 * 28];
    for (int i = 0; i < gray.length; i++) {
      gray[i] = (i % 28) / 27f;
    }
    for (int seed = 0; seed < 20; seed++) {
      FloatImage out = transform.transform(new LabeledImage(gray, 28, 28, 1, 0), new SplittableRandom(seed));
      assertThat(out.height()).isEqualTo(12);
      assertThat(out.width()).isEqualTo(12);
      assertThat(out.channels()).isEqualTo(3);
      for (float v : out.data()) {
        assertThat(v).isBetween(0f, 1f);
      }
    }
    SampleTransform noAugment = new SampleTransform(TransformConfig.train(12, new float[] {0.5f},
        new float[] {0.5f}, null, true), 1);
    FloatImage plain = noAugment.transform(new LabeledImage(gray, 28, 28, 1, 0), new SplittableRandom(4));
    for (int p = 0; p < 144; p++) {
      assertThat(plain.data()[3 * p]).isEqualTo(plain.data()[3 * p + 1]).isEqualTo(plain.data()[3 * p + 2]);
    }
    // The batch path expands gray while normalising; it must equal normalising the expanded image.
    float[] normalised = new float[3 * 144];
    noAugment.transformInto(new LabeledImage(gray, 28, 28, 1, 0), new SplittableRandom(4), normalised, 0);
    for (int i = 0; i < normalised.length; i++) {
      assertThat(normalised[i]).isCloseTo((plain.data()[i] - 0.5f) / 0.5f, within(1e-6f));
    }
  }

  @Test
  void horizontalFlipMirrorsColumns() {
    FloatImage image = new FloatImage(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
    image.flipHorizontally();
    assertThat(image.data()).containsExactly(5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8);
  }

  @Test
  void minimumCropScaleIsConfigurableAndValidated() {
    TransformConfig config = TransformConfig.train(32, new float[] {0.5f}, new float[] {0.5f}, null, false);
    assertThat(config.minScale()).isEqualTo(0.08f);
    assertThat(config.withMinScale(0.5f).minScale()).isEqualTo(0.5f);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> config.withMinScale(0f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum scale");
    // scale 1 on a square image: every draw of area 1 with a ratio other than 1 misses, and the fallback is the
    // whole image; a ratio of exactly 1 is the whole image as well.
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      CropBox box = RandomResizedCrop.sample(28, 28, 1.0, 1.0, RandomResizedCrop.MIN_RATIO,
          RandomResizedCrop.MAX_RATIO, random);
      assertThat(box).isEqualTo(new CropBox(0, 0, 28, 28));
    }
  }
}
