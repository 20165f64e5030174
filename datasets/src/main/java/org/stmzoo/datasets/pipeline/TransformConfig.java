package org.stmzoo.datasets.pipeline;

import java.util.Locale;

/**
 * Sample-level transforms. {@code train}: RandomResizedCrop (scale 0.08-1, ratio 3/4-4/3, bicubic), horizontal flip
 * with p 0.5, then RandAugment when {@code autoAugment} is set (e.g. {@code "rand-m9-mstd0.5-inc1"}; null or blank =
 * none). Eval: resize the shorter side to {@code floor(imageSize / cropPct)}, then center-crop {@code imageSize}.
 * Both end with {@code (x - mean) / std}; {@code mean}/{@code std} have one value per output channel (or a single
 * value for all). {@code grayscaleToRgb} replicates a gray channel to three. {@code interpolation} is the resampling
 * filter of both resizes, named as timm names it; only {@code "bicubic"} is implemented, and any other name (e.g. a
 * model whose preprocessing says {@code "bilinear"}) is refused here rather than silently resized bicubically.
 */
public record TransformConfig(int imageSize, boolean train, float cropPct, float[] mean, float[] std,
    String autoAugment, boolean grayscaleToRgb, float minScale, String interpolation) {
  /** timm's default eval crop fraction, DeiT's as well. */
  public static final float DEFAULT_CROP_PCT = 0.875f;
  /** The one resampling filter implemented ({@link BicubicResize}); DeiT's train and eval interpolation. */
  public static final String BICUBIC = "bicubic";

  public TransformConfig {
    if (imageSize <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + imageSize);
    }
    if (!(cropPct > 0 && cropPct <= 1)) {
      throw new IllegalArgumentException("crop fraction must be in (0, 1] (the center crop is that part of the"
          + " resized image's shorter side), got " + cropPct);
    }
    if (mean == null || std == null || mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException("mean and std need the same, non-zero number of values");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std values must be positive");
      }
    }
    mean = mean.clone();
    std = std.clone();
    if (autoAugment != null && autoAugment.isBlank()) {
      autoAugment = null;
    }
    if (!(minScale > 0 && minScale <= 1)) {
      throw new IllegalArgumentException("RandomResizedCrop's minimum scale must be in (0, 1], got " + minScale);
    }
    if (interpolation == null || !interpolation.strip().toLowerCase(Locale.ROOT).equals(BICUBIC)) {
      throw new IllegalArgumentException("interpolation '" + interpolation + "' is not supported: the dataset"
          + " transforms only resample bicubically (PIL's BICUBIC), so images for a model preprocessed otherwise"
          + " would not match its preprocessing");
    }
    interpolation = BICUBIC;
  }

  /** Bicubic, with a RandomResizedCrop minimum scale of {@code minScale}. */
  public TransformConfig(int imageSize, boolean train, float cropPct, float[] mean, float[] std, String autoAugment,
      boolean grayscaleToRgb, float minScale) {
    this(imageSize, train, cropPct, mean, std, autoAugment, grayscaleToRgb, minScale, BICUBIC);
  }

  /** With DeiT's RandomResizedCrop scale range, 0.08-1. */
  public TransformConfig(int imageSize, boolean train, float cropPct, float[] mean, float[] std, String autoAugment,
      boolean grayscaleToRgb) {
    this(imageSize, train, cropPct, mean, std, autoAugment, grayscaleToRgb, (float) RandomResizedCrop.MIN_SCALE);
  }

  /**
   * The same transform with RandomResizedCrop's area fraction drawn from {@code [minScale, 1]} (timm's
   * {@code --scale}); small, centred datasets such as Fashion-MNIST train better with a larger minimum.
   */
  public TransformConfig withMinScale(float scale) {
    return new TransformConfig(imageSize, train, cropPct, mean, std, autoAugment, grayscaleToRgb, scale,
        interpolation);
  }

  /** DeiT's training transform at {@code imageSize}: RandomResizedCrop, flip, optional RandAugment. */
  public static TransformConfig train(int imageSize, float[] mean, float[] std, String autoAugment,
      boolean grayscaleToRgb) {
    return new TransformConfig(imageSize, true, DEFAULT_CROP_PCT, mean, std, autoAugment, grayscaleToRgb);
  }

  /** The evaluation transform: resize to {@code imageSize / cropPct}, center crop. */
  public static TransformConfig eval(int imageSize, float cropPct, float[] mean, float[] std,
      boolean grayscaleToRgb) {
    return new TransformConfig(imageSize, false, cropPct, mean, std, null, grayscaleToRgb);
  }

  /**
   * The evaluation transform with a model's interpolation (timm's {@code interpolation}, e.g. from its
   * preprocessing); only {@code "bicubic"} is accepted, anything else is refused with the name in the message.
   */
  public static TransformConfig eval(int imageSize, float cropPct, float[] mean, float[] std,
      boolean grayscaleToRgb, String interpolation) {
    return new TransformConfig(imageSize, false, cropPct, mean, std, null, grayscaleToRgb,
        (float) RandomResizedCrop.MIN_SCALE, interpolation);
  }

  /** Channels of the transformed images for a source with {@code sourceChannels}. */
  public int outputChannels(int sourceChannels) {
    return sourceChannels == 1 && grayscaleToRgb ? 3 : sourceChannels;
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }
}
