package org.stmzoo.zoo.analysis;

import org.stmzoo.datasets.pipeline.FloatImage;

/** Small image helpers the analyses share. */
final class Views {
  private Views() {}

  /** {@code image} with the model's channels: a gray image is replicated to RGB, as the loader feeds it. */
  static FloatImage channels(FloatImage image, int channels) {
    if (image.channels() == channels) {
      return image;
    }
    if (image.channels() == 1 && channels == 3) {
      return image.grayToRgb();
    }
    throw new IllegalArgumentException("a " + image.channels() + "-channel image for a model with " + channels
        + " input channels");
  }

  /** Channel {@code c}'s value of a per-channel statistic (a mean, a std): a single value stands for every channel. */
  static float channel(float[] statistic, int c) {
    return statistic[statistic.length == 1 ? 0 : c];
  }
}
