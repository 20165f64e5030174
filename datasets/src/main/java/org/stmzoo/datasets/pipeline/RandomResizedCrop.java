package org.stmzoo.datasets.pipeline;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomResizedCrop.get_params}: up to 10 tries of an area fraction uniform in
 * {@code scale} and a log-uniform aspect ratio in {@code ratio}, rounded (half to even, like Python's round) to a
 * box that must fit; the box position is uniform over all placements. After 10 misses: a center crop of the whole
 * image with its aspect ratio clamped into {@code ratio}.
 */
public final class RandomResizedCrop {
  public static final double MIN_SCALE = 0.08;
  public static final double MAX_SCALE = 1.0;
  public static final double MIN_RATIO = 3.0 / 4.0;
  public static final double MAX_RATIO = 4.0 / 3.0;
  private static final int ATTEMPTS = 10;

  private RandomResizedCrop() {}

  /** A box with DeiT's defaults (scale 0.08-1, ratio 3/4-4/3). */
  public static CropBox sample(int height, int width, RandomGenerator random) {
    return sample(height, width, MIN_SCALE, MAX_SCALE, MIN_RATIO, MAX_RATIO, random);
  }

  public static CropBox sample(int height, int width, double minScale, double maxScale, double minRatio,
      double maxRatio, RandomGenerator random) {
    double area = (double) height * width;
    double logMin = Math.log(minRatio);
    double logMax = Math.log(maxRatio);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double targetArea = area * uniform(random, minScale, maxScale);
      double aspect = Math.exp(uniform(random, logMin, logMax));
      int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
      int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = random.nextInt(height - h + 1);
        int left = random.nextInt(width - w + 1);
        return new CropBox(top, left, h, w);
      }
    }
    double inRatio = (double) width / height;
    int w;
    int h;
    if (inRatio < minRatio) {
      w = width;
      h = (int) Math.rint(w / minRatio);
    } else if (inRatio > maxRatio) {
      h = height;
      w = (int) Math.rint(h * maxRatio);
    } else {
      w = width;
      h = height;
    }
    return new CropBox((height - h) / 2, (width - w) / 2, h, w);
  }

  private static double uniform(RandomGenerator random, double low, double high) {
    return low + (high - low) * random.nextDouble();
  }
}
