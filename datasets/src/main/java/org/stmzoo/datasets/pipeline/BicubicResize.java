package org.stmzoo.datasets.pipeline;

/**
 * Bicubic resampling as PIL's {@code Image.resize(..., BICUBIC)} does it (the path timm/torchvision take on PIL
 * images): Keys cubic with a = -0.5, support 2, widened by the scale factor when shrinking (antialiasing), weights
 * normalised per output pixel, taps clipped to the source box, one horizontal then one vertical pass, each
 * clamped to [0, 1] as PIL clips to 0..255. PIL rounds the intermediate and the result to 8 bits; this works in
 * float throughout, so values agree with PIL's to within its 8-bit rounding.
 */
public final class BicubicResize {
  private static final double A = -0.5;
  private static final double SUPPORT = 2.0;

  private BicubicResize() {}

  /** PIL's bicubic kernel. */
  static double kernel(double x) {
    x = Math.abs(x);
    if (x < 1) {
      return ((A + 2) * x - (A + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * A;
    }
    return 0;
  }

  /** Resizes the whole image. */
  public static FloatImage resize(FloatImage source, int outHeight, int outWidth) {
    return resize(source, CropBox.whole(source.height(), source.width()), outHeight, outWidth);
  }

  /** Crops {@code box} out of {@code source} and resizes it to {@code outHeight x outWidth}, in one step. */
  public static FloatImage resize(FloatImage source, CropBox box, int outHeight, int outWidth) {
    if (!box.fitsIn(source.height(), source.width())) {
      throw new IllegalArgumentException(box + " outside a " + source.height() + "x" + source.width() + " image");
    }
    if (box.height() == outHeight && box.width() == outWidth) {
      return source.crop(box);
    }
    int channels = source.channels();
    // Horizontal pass over the box rows: [box.height, outWidth, channels].
    float[] rows;
    if (box.width() == outWidth) {
      rows = source.crop(box).data();
    } else {
      Taps taps = Taps.of(box.width(), outWidth);
      rows = new float[box.height() * outWidth * channels];
      float[] src = source.data();
      for (int y = 0; y < box.height(); y++) {
        int srcRow = ((box.top() + y) * source.width() + box.left()) * channels;
        int dstRow = y * outWidth * channels;
        for (int x = 0; x < outWidth; x++) {
          int first = taps.first[x];
          int count = taps.count[x];
          int w0 = x * taps.stride;
          for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int k = 0; k < count; k++) {
              sum += taps.weights[w0 + k] * src[srcRow + (first + k) * channels + c];
            }
            rows[dstRow + x * channels + c] = clamp01(sum);
          }
        }
      }
    }
    if (box.height() == outHeight) {
      return new FloatImage(rows, outHeight, outWidth, channels);
    }
    Taps taps = Taps.of(box.height(), outHeight);
    int rowLength = outWidth * channels;
    float[] out = new float[outHeight * rowLength];
    double[] sums = new double[rowLength];
    for (int y = 0; y < outHeight; y++) {
      java.util.Arrays.fill(sums, 0);
      int first = taps.first[y];
      int w0 = y * taps.stride;
      for (int k = 0; k < taps.count[y]; k++) {
        double w = taps.weights[w0 + k];
        int srcRow = (first + k) * rowLength;
        for (int i = 0; i < rowLength; i++) {
          sums[i] += w * rows[srcRow + i];
        }
      }
      for (int i = 0; i < rowLength; i++) {
        out[y * rowLength + i] = clamp01(sums[i]);
      }
    }
    return new FloatImage(out, outHeight, outWidth, channels);
  }

  private static float clamp01(double v) {
    return v <= 0 ? 0f : v >= 1 ? 1f : (float) v;
  }

  /** Per output pixel: the first source index, the number of taps and their normalised weights (PIL's coeffs). */
  private record Taps(int[] first, int[] count, double[] weights, int stride) {
    static Taps of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = SUPPORT * filterScale;
      int stride = (int) Math.ceil(support) * 2 + 1;
      int[] first = new int[outSize];
      int[] count = new int[outSize];
      double[] weights = new double[outSize * stride];
      for (int i = 0; i < outSize; i++) {
        double center = (i + 0.5) * scale;
        // PIL rounds the tap range with (int)(v + 0.5), which truncates toward zero.
        int min = Math.max((int) (center - support + 0.5), 0);
        int max = Math.min((int) (center + support + 0.5), inSize);
        double total = 0;
        for (int k = 0; k < max - min; k++) {
          double w = kernel((k + min - center + 0.5) / filterScale);
          weights[i * stride + k] = w;
          total += w;
        }
        if (total != 0) {
          for (int k = 0; k < max - min; k++) {
            weights[i * stride + k] /= total;
          }
        }
        first[i] = min;
        count[i] = max - min;
      }
      return new Taps(first, count, weights, stride);
    }
  }
}
