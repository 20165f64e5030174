package org.stmzoo.datasets.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * timm's RandAugment ({@code rand_augment_transform}) on 8-bit images: {@code numLayers} ops drawn uniformly with
 * replacement from timm's 15-op set, each applied with probability {@code probability} at a magnitude drawn from
 * N(magnitude, magnitudeStd) clipped to [0, magnitudeMax] (uniform in [0, magnitude] if mstd > 100). With
 * {@code increasing} ("inc1") the Posterize/Solarize/Color/Contrast/Brightness/Sharpness variants grow stronger
 * with magnitude. Geometric ops use bicubic resampling and fill with the mean colour, as DeiT's
 * {@code --train-interpolation bicubic} configures timm.
 */
public final class RandAugment {
  /** DeiT's policy (its {@code --aa} for timm), the default augmentation of training. */
  public static final String DEIT_POLICY = "rand-m9-mstd0.5-inc1";

  private static final double LEVEL_DENOM = 10.0;

  /** timm's {@code _RAND_TRANSFORMS} / {@code _RAND_INCREASING_TRANSFORMS}, in timm's order. */
  public enum Op {
    AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE, SOLARIZE, SOLARIZE_ADD, COLOR, CONTRAST, BRIGHTNESS,
    SHARPNESS, SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL
  }

  /** A parsed {@code rand-...} string; defaults as timm: m 10, n 2, p 0.5, mstd 0, mmax 10, not increasing. */
  public record Config(int magnitude, int numLayers, double probability, double magnitudeStd, double magnitudeMax,
      boolean increasing) {
    public static Config parse(String spec) {
      String[] parts = spec.strip().split("-");
      if (!parts[0].equals("rand")) {
        throw new IllegalArgumentException("unsupported auto-augment '" + spec
            + "': only RandAugment ('" + DEIT_POLICY + "' style) is implemented");
      }
      int magnitude = (int) LEVEL_DENOM;
      int numLayers = 2;
      double probability = 0.5;
      double magnitudeStd = 0;
      double magnitudeMax = LEVEL_DENOM;
      boolean increasing = false;
      for (int i = 1; i < parts.length; i++) {
        String part = parts[i];
        int digit = 0;
        while (digit < part.length() && !Character.isDigit(part.charAt(digit))) {
          digit++;
        }
        if (digit == part.length()) {
          continue; // timm ignores sections without a number
        }
        String key = part.substring(0, digit);
        String value = part.substring(digit);
        try {
          switch (key) {
            case "m" -> magnitude = Integer.parseInt(value);
            case "n" -> numLayers = Integer.parseInt(value);
            case "p" -> probability = Double.parseDouble(value);
            case "mstd" -> {
              magnitudeStd = Double.parseDouble(value);
              magnitudeStd = magnitudeStd > 100 ? Double.POSITIVE_INFINITY : magnitudeStd;
            }
            case "mmax" -> magnitudeMax = Integer.parseInt(value);
            // timm tests bool(val) on the string, so any value (even "inc0") selects the increasing ops.
            case "inc" -> increasing = true;
            default -> throw new IllegalArgumentException("unknown RandAugment section '" + part + "' in '"
                + spec + "'" + (key.equals("t") ? " (weighted/3a transform sets are not implemented)" : ""));
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad number in RandAugment section '" + part + "' of '" + spec + "'");
        }
      }
      return new Config(magnitude, numLayers, probability, magnitudeStd, magnitudeMax, increasing);
    }
  }

  private static final List<Op> OPS = List.of(Op.values());

  private final Config config;
  private final int[] fill;

  /** {@code fill}: one 0..255 value per channel for pixels that geometric ops uncover. */
  public RandAugment(Config config, int[] fill) {
    this.config = config;
    this.fill = fill.clone();
  }

  /** timm's fill colour {@code min(255, round(255 * mean))} per channel. */
  public static int[] fillFromMean(float[] mean, int channels) {
    int[] fill = new int[channels];
    for (int c = 0; c < channels; c++) {
      fill[c] = (int) Math.min(255, Math.rint(255 * mean[mean.length == 1 ? 0 : c]));
    }
    return fill;
  }

  public Config config() {
    return config;
  }

  /** Applies {@code numLayers} random ops; the image may be modified in place and/or replaced. */
  public Image8 apply(Image8 image, RandomGenerator random) {
    for (int layer = 0; layer < config.numLayers(); layer++) {
      Op op = OPS.get(random.nextInt(OPS.size()));
      image = applyOp(op, image, random);
    }
    return image;
  }

  /** One {@code AugmentOp.__call__}: the probability test, the magnitude draw, then the op. */
  Image8 applyOp(Op op, Image8 image, RandomGenerator random) {
    if (config.probability() < 1.0 && random.nextDouble() > config.probability()) {
      return image;
    }
    double m = config.magnitude();
    if (config.magnitudeStd() == Double.POSITIVE_INFINITY) {
      m = random.nextDouble() * m;
    } else if (config.magnitudeStd() > 0) {
      m = m + config.magnitudeStd() * random.nextGaussian();
    }
    m = Math.max(0, Math.min(m, config.magnitudeMax()));
    return applyAtMagnitude(op, image, m, random);
  }

  /** The op at magnitude {@code m} (0..10 scale), converting the level to the op's argument as timm does. */
  Image8 applyAtMagnitude(Op op, Image8 image, double m, RandomGenerator random) {
    double level = m / LEVEL_DENOM;
    boolean inc = config.increasing();
    switch (op) {
      case AUTO_CONTRAST -> PointOps.autoContrast(image);
      case EQUALIZE -> PointOps.equalize(image);
      case INVERT -> PointOps.invert(image);
      case ROTATE -> {
        return AffineWarp.warp(image, AffineWarp.rotation(negateHalf(level * 30, random), image.width(),
            image.height()), fill);
      }
      case POSTERIZE -> {
        int bits = inc ? 4 - (int) (level * 4) : (int) (level * 4);
        if (bits < 8) {
          PointOps.posterize(image, bits);
        }
      }
      case SOLARIZE -> {
        int threshold = Math.min(256, (int) (level * 256));
        PointOps.solarize(image, inc ? 256 - threshold : threshold);
      }
      case SOLARIZE_ADD -> PointOps.solarizeAdd(image, Math.min(128, (int) (level * 110)), 128);
      case COLOR -> PointOps.color(image, enhanceFactor(level, random));
      case CONTRAST -> PointOps.contrast(image, enhanceFactor(level, random));
      case BRIGHTNESS -> PointOps.brightness(image, enhanceFactor(level, random));
      case SHARPNESS -> PointOps.sharpness(image, enhanceFactor(level, random));
      case SHEAR_X -> {
        return AffineWarp.warp(image, AffineWarp.shearX(negateHalf(level * 0.3, random)), fill);
      }
      case SHEAR_Y -> {
        return AffineWarp.warp(image, AffineWarp.shearY(negateHalf(level * 0.3, random)), fill);
      }
      case TRANSLATE_X_REL -> {
        double pixels = negateHalf(level * 0.45, random) * image.width();
        return AffineWarp.warp(image, AffineWarp.translate(pixels, 0), fill);
      }
      case TRANSLATE_Y_REL -> {
        double pixels = negateHalf(level * 0.45, random) * image.height();
        return AffineWarp.warp(image, AffineWarp.translate(0, pixels), fill);
      }
      default -> throw new IllegalStateException(op.toString());
    }
    return image;
  }

  /** {@code _enhance_level_to_arg} (1.8 level + 0.1) or its increasing form (1 +- 0.9 level, at least 0.1). */
  private double enhanceFactor(double level, RandomGenerator random) {
    return config.increasing() ? Math.max(0.1, 1.0 + negateHalf(level * 0.9, random)) : level * 1.8 + 0.1;
  }

  /** timm's {@code _randomly_negate}. */
  private static double negateHalf(double v, RandomGenerator random) {
    return random.nextDouble() > 0.5 ? -v : v;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "RandAugment(%s)", config);
  }
}
