package org.stmzoo.zoo.api;

import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.zoo.registry.ModelOptions;

/**
 * The input and output a model is built for when it is measured ({@link ModelInfo#measure}): what
 * {@code ./stmzoo describe} takes as {@code --image-size}, {@code --num-classes} and {@code --in-channels}.
 *
 * @param imageSize the square input's side in pixels, at least 1 (the model's own rule is checked when it is built)
 * @param numClasses the classifier head's outputs, at least 1
 * @param inChannels the input's channels, at least 1
 */
public record ModelShape(int imageSize, int numClasses, int inChannels) {
  public ModelShape {
    ConfigChecks.positive("ModelShape.imageSize", imageSize);
    ConfigChecks.positive("ModelShape.numClasses", numClasses);
    ConfigChecks.positive("ModelShape.inChannels", inChannels);
  }

  /** ImageNet-1k at 224x224 RGB: the shape {@code ./stmzoo list} measures every model at. */
  public static ModelShape imagenet() {
    return new ModelShape(224, 1000, 3);
  }

  /** This shape at another input size ({@code describe --image-size}). */
  public ModelShape withImageSize(int size) {
    return new ModelShape(size, numClasses, inChannels);
  }

  /** This shape with another number of classes ({@code describe --num-classes}). */
  public ModelShape withNumClasses(int classes) {
    return new ModelShape(imageSize, classes, inChannels);
  }

  /** This shape with another number of input channels ({@code describe --in-channels}). */
  public ModelShape withInChannels(int channels) {
    return new ModelShape(imageSize, numClasses, channels);
  }

  /** The registry's options for this shape, with the variant's own drop-path rate. */
  ModelOptions options() {
    return new ModelOptions(numClasses, inChannels, imageSize, null);
  }
}
