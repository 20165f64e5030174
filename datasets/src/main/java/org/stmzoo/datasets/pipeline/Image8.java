package org.stmzoo.datasets.pipeline;

/**
 * An 8-bit HWC image (values 0..255 held in ints) for the RandAugment ops, which are defined on PIL's 8-bit
 * images: histograms, thresholds and bit masks only mean something on integer levels.
 */
public record Image8(int[] values, int height, int width, int channels) {
  public Image8 {
    if (values.length != height * width * channels) {
      throw new IllegalArgumentException("image data does not match " + height + "x" + width + "x" + channels);
    }
  }

  /** Rounds [0, 1] floats to the nearest of 256 levels, as PIL's resize output is rounded. */
  public static Image8 quantize(FloatImage image) {
    float[] data = image.data();
    int[] values = new int[data.length];
    for (int i = 0; i < data.length; i++) {
      values[i] = Math.max(0, Math.min(255, Math.round(data[i] * 255f)));
    }
    return new Image8(values, image.height(), image.width(), image.channels());
  }

  /** Back to [0, 1] floats, as {@code ToTensor} divides by 255. */
  public FloatImage toFloat() {
    float[] data = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      data[i] = values[i] / 255f;
    }
    return new FloatImage(data, height, width, channels);
  }

  public int pixels() {
    return height * width;
  }
}
