package org.stmzoo.datasets;

/** A labelled image, HWC, RGB (or a single gray channel), float values in [0,1]. */
public record LabeledImage(float[] pixels, int height, int width, int channels, int label) {
  public LabeledImage {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException("bad image shape " + height + "x" + width + "x" + channels);
    }
    if (pixels.length != height * width * channels) {
      throw new IllegalArgumentException(
          "image has " + pixels.length + " values, expected " + height + "x" + width + "x" + channels);
    }
  }
}
