package org.stmzoo.datasets.pipeline;

import org.stmzoo.datasets.LabeledImage;

/** A working HWC float image inside the transform pipeline (values in [0, 1] until normalisation). */
public record FloatImage(float[] data, int height, int width, int channels) {
  public FloatImage {
    if (data.length != height * width * channels) {
      throw new IllegalArgumentException("image data does not match " + height + "x" + width + "x" + channels);
    }
  }

  public static FloatImage of(LabeledImage image) {
    return new FloatImage(image.pixels(), image.height(), image.width(), image.channels());
  }

  public float get(int y, int x, int c) {
    return data[(y * width + x) * channels + c];
  }

  /** Mirrors the columns in place. */
  public void flipHorizontally() {
    for (int y = 0; y < height; y++) {
      int row = y * width;
      for (int left = 0, right = width - 1; left < right; left++, right--) {
        for (int c = 0; c < channels; c++) {
          int a = (row + left) * channels + c;
          int b = (row + right) * channels + c;
          float t = data[a];
          data[a] = data[b];
          data[b] = t;
        }
      }
    }
  }

  /** A copy of the box, no resampling. */
  public FloatImage crop(CropBox box) {
    float[] out = new float[box.height() * box.width() * channels];
    int rowLength = box.width() * channels;
    for (int y = 0; y < box.height(); y++) {
      System.arraycopy(data, ((box.top() + y) * width + box.left()) * channels, out, y * rowLength, rowLength);
    }
    return new FloatImage(out, box.height(), box.width(), channels);
  }

  /** The same pixels with one gray channel replicated to RGB (other images are returned as they are). */
  public FloatImage grayToRgb() {
    if (channels != 1) {
      return this;
    }
    float[] rgb = new float[data.length * 3];
    for (int p = 0; p < data.length; p++) {
      rgb[3 * p] = data[p];
      rgb[3 * p + 1] = data[p];
      rgb[3 * p + 2] = data[p];
    }
    return new FloatImage(rgb, height, width, 3);
  }
}
