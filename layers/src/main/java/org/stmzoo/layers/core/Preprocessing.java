package org.stmzoo.layers.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * How a model expects its input: RGB in [0, 1] normalised by {@code mean}/{@code std}; evaluation resizes the
 * shorter side to {@code size / cropPct} and center-crops {@code size}.
 *
 * <p>Immutable: the arrays are copied in and out, because one instance is shared by a family's registry entries
 * and handed to callers (the public catalogue among them), and a caller writing into it must not change how every
 * later model is trained or evaluated. Equality is by the values of mean and std, not by array identity.
 */
public record Preprocessing(float[] mean, float[] std, float cropPct, String interpolation) {
  /** Checked once here for every source (families, checkpoints, manifests): one mean and std a channel, a crop. */
  public Preprocessing {
    if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException("mean and std must hold one value a channel each, got "
          + (mean == null ? "none" : mean.length) + " and " + (std == null ? "none" : std.length));
    }
    for (int c = 0; c < mean.length; c++) {
      ConfigChecks.finite("mean[" + c + "]", mean[c]);
      ConfigChecks.positiveFinite("std[" + c + "]", std[c]);
    }
    ConfigChecks.fraction("cropPct", cropPct);
    mean = mean.clone();
    std = std.clone();
  }

  /** The per-channel mean, a copy. */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /** The per-channel standard deviation, a copy. */
  @Override
  public float[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Preprocessing that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std)
        && Float.compare(cropPct, that.cropPct) == 0 && Objects.equals(interpolation, that.interpolation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(mean), Arrays.hashCode(std), cropPct, interpolation);
  }

  @Override
  public String toString() {
    return "Preprocessing[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", cropPct=" + cropPct
        + ", interpolation=" + interpolation + "]";
  }

  public static Preprocessing imagenet() {
    return new Preprocessing(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f},
        0.875f, "bicubic");
  }

  /** The same normalisation and interpolation with another evaluation crop (timm's {@code crop_pct}). */
  public Preprocessing withCropPct(float pct) {
    return new Preprocessing(mean, std, pct, interpolation);
  }

  /** timm's Inception-style normalisation, (x - 0.5) / 0.5. */
  public static Preprocessing inception(float cropPct) {
    return new Preprocessing(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, cropPct, "bicubic");
  }
}
