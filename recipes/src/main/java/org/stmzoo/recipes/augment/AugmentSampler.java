package org.stmzoo.recipes.augment;

import java.util.SplittableRandom;
import org.stmzoo.datasets.pipeline.RandomStreams;

/**
 * Draws one step's augmentation parameters as timm does: {@code Mixup} in 'batch' mode (one lambda per batch,
 * CutMix with probability {@code switchProb} when both are enabled, CutMix lambda corrected to the clipped
 * box's area) and {@code RandomErasing} (per image with probability {@code reprob}, area 2%-33%, log-uniform
 * aspect 0.3-3.3, ten attempts, one box). Draws depend only on (seed, step), so a resumed run repeats them.
 */
public final class AugmentSampler {
  private static final double ERASE_MIN_AREA = 0.02;
  private static final double ERASE_MAX_AREA = 1.0 / 3;
  private static final double ERASE_LOG_ASPECT = Math.log(1 / 0.3);
  private static final int ERASE_ATTEMPTS = 10;
  /** The second coordinate of a step's stream: the data loader's streams take -1 (the order) and positions >= 0. */
  private static final long AUGMENT_STREAM = -2;

  private final double mixupAlpha;
  private final double cutmixAlpha;
  private final double switchProb;
  private final double reprob;
  private final int height;
  private final int width;
  private final long seed;

  public AugmentSampler(double mixupAlpha, double cutmixAlpha, double switchProb, double reprob, int height,
      int width, long seed) {
    this.mixupAlpha = mixupAlpha;
    this.cutmixAlpha = cutmixAlpha;
    this.switchProb = switchProb;
    this.reprob = reprob;
    this.height = height;
    this.width = width;
    this.seed = seed;
  }

  public AugmentDraw draw(long step, int batchSize) {
    SplittableRandom rng = RandomStreams.of(seed, step, AUGMENT_STREAM);
    int[] erase = new int[batchSize * 4];
    for (int i = 0; i < batchSize; i++) {
      drawErase(rng, erase, i);
    }
    long[] noiseSeed = {rng.nextLong(), rng.nextLong()};
    int[] box = new int[4];
    boolean mixing = mixupAlpha > 0 || cutmixAlpha > 0;
    if (!mixing) {
      return new AugmentDraw(1f, 1f, box, erase, noiseSeed);
    }
    boolean useCutmix;
    double lambda;
    if (mixupAlpha > 0 && cutmixAlpha > 0) {
      useCutmix = rng.nextDouble() < switchProb;
      lambda = BetaDistribution.symmetric(rng, useCutmix ? cutmixAlpha : mixupAlpha);
    } else {
      useCutmix = cutmixAlpha > 0;
      lambda = BetaDistribution.symmetric(rng, useCutmix ? cutmixAlpha : mixupAlpha);
    }
    if (!useCutmix) {
      return new AugmentDraw((float) lambda, (float) lambda, box, erase, noiseSeed);
    }
    box = cutmixBox(lambda, height, width, rng.nextInt(height), rng.nextInt(width));
    double pasted = (double) (box[1] - box[0]) * (box[3] - box[2]) / (height * width);
    return new AugmentDraw(1f, (float) (1 - pasted), box, erase, noiseSeed);
  }

  /**
   * timm's {@code rand_bbox}: a box of sides {@code int(height * sqrt(1 - lambda))} and
   * {@code int(width * sqrt(1 - lambda))} (halved with integer division on each side of the centre) around
   * {@code (cy, cx)}, clipped to the image; {@code {top, bottom, left, right}}, bottom and right exclusive.
   */
  static int[] cutmixBox(double lambda, int height, int width, int cy, int cx) {
    double ratio = Math.sqrt(1 - lambda);
    int cutH = (int) (height * ratio);
    int cutW = (int) (width * ratio);
    return new int[] {clamp(cy - cutH / 2, height), clamp(cy + cutH / 2, height), clamp(cx - cutW / 2, width),
        clamp(cx + cutW / 2, width)};
  }

  private void drawErase(SplittableRandom rng, int[] erase, int index) {
    if (reprob == 0 || rng.nextDouble() > reprob) {
      return;
    }
    double area = height * width;
    for (int attempt = 0; attempt < ERASE_ATTEMPTS; attempt++) {
      double targetArea = (ERASE_MIN_AREA + rng.nextDouble() * (ERASE_MAX_AREA - ERASE_MIN_AREA)) * area;
      double aspect = Math.exp(-ERASE_LOG_ASPECT + rng.nextDouble() * 2 * ERASE_LOG_ASPECT);
      int h = (int) Math.rint(Math.sqrt(targetArea * aspect));
      int w = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (w < width && h < height) {
        erase[index * 4] = rng.nextInt(height - h + 1);
        erase[index * 4 + 1] = h;
        erase[index * 4 + 2] = rng.nextInt(width - w + 1);
        erase[index * 4 + 3] = w;
        return;
      }
    }
  }

  private static int clamp(int v, int max) {
    return Math.max(0, Math.min(max, v));
  }
}
