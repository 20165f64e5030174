package org.stmzoo.zoo.registry;

import org.stmzoo.layers.core.ConfigChecks;

/**
 * What every model takes. {@code dropPathRate} null means the variant's default (its reference recipe's).
 */
public record ModelOptions(int numClasses, int inChannels, int imageSize, Float dropPathRate) {
  public ModelOptions {
    if (numClasses <= 0) {
      throw new IllegalArgumentException("the number of classes must be positive, got " + numClasses);
    }
    if (inChannels <= 0) {
      throw new IllegalArgumentException("the number of input channels must be positive, got " + inChannels);
    }
    if (dropPathRate != null) {
      ConfigChecks.rate("drop-path rate", dropPathRate); // NaN too, which the range comparisons let through
    }
  }

  /** ImageNet-1k at 224x224, RGB, the variant's drop-path rate. */
  public static ModelOptions imagenet() {
    return new ModelOptions(1000, 3, 224, null);
  }

  public ModelOptions withImageSize(int size) {
    return new ModelOptions(numClasses, inChannels, size, dropPathRate);
  }

  public ModelOptions withNumClasses(int classes) {
    return new ModelOptions(classes, inChannels, imageSize, dropPathRate);
  }

  public ModelOptions withInChannels(int channels) {
    return new ModelOptions(numClasses, channels, imageSize, dropPathRate);
  }

  public ModelOptions withDropPathRate(Float rate) {
    return new ModelOptions(numClasses, inChannels, imageSize, rate);
  }

  public float dropPathOr(float variantDefault) {
    return dropPathRate == null ? variantDefault : dropPathRate;
  }
}
