package org.stmzoo.datasets.pipeline;

import java.util.random.RandomGenerator;
import org.stmzoo.datasets.LabeledImage;

/**
 * One image through the configured transform into its slot of a batch. Train: RandomResizedCrop + bicubic resize,
 * flip (p 0.5), gray to RGB if asked, RandAugment on the 8-bit quantised image (only when configured, as PIL works
 * on 8-bit images there), normalisation. Eval: resize + center crop, gray to RGB, normalisation. All randomness
 * comes from the given generator, so a sample's result depends on its seed only.
 */
public final class SampleTransform {
  private final TransformConfig config;
  private final int outputChannels;
  private final float[] mean;
  private final float[] std;
  private final RandAugment randAugment;

  public SampleTransform(TransformConfig config, int sourceChannels) {
    this.config = config;
    this.outputChannels = config.outputChannels(sourceChannels);
    float[] m = config.mean();
    float[] s = config.std();
    if (m.length != 1 && m.length != outputChannels) {
      throw new IllegalArgumentException("mean/std have " + m.length + " values for " + outputChannels
          + "-channel images" + (outputChannels == 1 ? " (set grayscaleToRgb for RGB statistics)" : ""));
    }
    this.mean = new float[outputChannels];
    this.std = new float[outputChannels];
    for (int c = 0; c < outputChannels; c++) {
      mean[c] = m[m.length == 1 ? 0 : c];
      std[c] = s[s.length == 1 ? 0 : c];
    }
    this.randAugment = config.train() && config.autoAugment() != null
        ? new RandAugment(RandAugment.Config.parse(config.autoAugment()),
            RandAugment.fillFromMean(config.mean(), outputChannels))
        : null;
  }

  public int outputChannels() {
    return outputChannels;
  }

  /** Values one transformed image occupies in a batch. */
  public int valuesPerImage() {
    return config.imageSize() * config.imageSize() * outputChannels;
  }

  /** The transformed, not yet normalised image ([0, 1] values) with the output channels. */
  public FloatImage transform(LabeledImage image, RandomGenerator random) {
    return toOutputChannels(transformKeepingGray(image, random));
  }

  /** Transforms and writes {@code (x - mean) / std} into {@code dest} at {@code offset}. */
  public void transformInto(LabeledImage image, RandomGenerator random, float[] dest, int offset) {
    FloatImage out = transformKeepingGray(image, random);
    if (out.channels() != outputChannels && out.channels() != 1) {
      toOutputChannels(out); // throws: an RGB image in a gray dataset
    }
    float[] data = out.data();
    int ch = outputChannels;
    // A gray image still to be expanded is read once per output channel: no RGB copy is made.
    int step = out.channels() == ch ? ch : 1;
    for (int c = 0; c < ch; c++) {
      float m = mean[c];
      float inverse = 1f / std[c]; // a multiply instead of a divide per value (within 1 ulp of torchvision's)
      int from = step == 1 ? 0 : c;
      for (int i = from, o = offset + c; i < data.length; i += step, o += ch) {
        dest[o] = (data[i] - m) * inverse;
      }
    }
  }

  /**
   * The transform up to normalisation; a gray image is left gray (expanded later, when normalising) unless
   * RandAugment needs it in RGB first: its fill colour differs per channel.
   */
  private FloatImage transformKeepingGray(LabeledImage image, RandomGenerator random) {
    FloatImage source = FloatImage.of(image);
    int size = config.imageSize();
    if (!config.train()) {
      return EvalResizeCrop.apply(source, size, config.cropPct());
    }
    CropBox box = RandomResizedCrop.sample(source.height(), source.width(), config.minScale(),
        RandomResizedCrop.MAX_SCALE, RandomResizedCrop.MIN_RATIO, RandomResizedCrop.MAX_RATIO, random);
    FloatImage out = BicubicResize.resize(source, box, size, size);
    if (random.nextDouble() < 0.5) {
      out.flipHorizontally();
    }
    if (randAugment != null) {
      out = randAugment.apply(Image8.quantize(toOutputChannels(out)), random).toFloat();
    }
    return out;
  }

  private FloatImage toOutputChannels(FloatImage image) {
    if (image.channels() == outputChannels) {
      return image;
    }
    if (image.channels() == 1 && outputChannels == 3) {
      return image.grayToRgb();
    }
    throw new IllegalStateException("a " + image.channels() + "-channel image in a " + outputChannels
        + "-channel dataset");
  }
}
