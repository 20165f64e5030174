package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * A conversion of reference PyTorch weights into an stmzoo checkpoint, as {@code ./stmzoo import} takes it
 * ({@link WeightImport#run}).
 *
 * @param model a registered model name ({@link Catalogue#models()}) whose reference the weights come from
 * @param checkpoint the reference weights: {@code .safetensors} or a PyTorch zip ({@code .pth}, {@code .pt},
 *     {@code .pth.tar})
 * @param output the folder to write the stmzoo checkpoint to
 * @param numClasses the new model's classes, at least 1; another count than the reference's re-initialises the head
 * @param imageSize the input size, at least 1 and one the model's architecture takes, or null for the model's
 *     default; position embeddings are resized as each reference resizes them
 * @param ema import a training checkpoint's EMA weights ({@code model_ema}, {@code state_dict_ema}) instead of its
 *     {@code model} / {@code state_dict}
 * @param classNames the class names in logit order, stored in the checkpoint, each named once (as many as
 *     {@code numClasses}, checked when the import runs), or empty for none; null for ImageNet's names on a
 *     1000-class head (every reference is an ImageNet-1k classifier), else none
 */
public record ImportSpec(String model, Path checkpoint, Path output, int numClasses, Integer imageSize, boolean ema,
    List<String> classNames) {
  public ImportSpec {
    Objects.requireNonNull(model, "ImportSpec.model");
    Objects.requireNonNull(checkpoint, "ImportSpec.checkpoint");
    Objects.requireNonNull(output, "ImportSpec.output");
    ConfigChecks.positive("ImportSpec.numClasses", numClasses);
    // refused when the spec is built, not when the import runs: a spec that exists can be imported
    ModelEntry entry = RegisteredModels.get("ImportSpec.model", model);
    if (imageSize != null) {
      ConfigChecks.positive("ImportSpec.imageSize", imageSize);
      RegisteredModels.checkImageSize("ImportSpec.imageSize", entry, imageSize);
    }
    if (classNames != null) {
      classNames = ClassNames.distinct("ImportSpec.classNames", classNames);
    }
  }

  /** {@code model}'s reference weights in {@code checkpoint} with their 1000-class ImageNet head, at the default size. */
  public static ImportSpec of(String model, Path checkpoint, Path output) {
    return new ImportSpec(model, checkpoint, output, 1000, null, false, null);
  }

  /** A head for {@code classes} classes ({@code import --num-classes}); another count than 1000 re-initialises it. */
  public ImportSpec withNumClasses(int classes) {
    return new ImportSpec(model, checkpoint, output, classes, imageSize, ema, classNames);
  }

  /** Another input size, or null for the model's default ({@code import --image-size}). */
  public ImportSpec withImageSize(Integer size) {
    return new ImportSpec(model, checkpoint, output, numClasses, size, ema, classNames);
  }

  /** Imports the training checkpoint's EMA weights ({@code import --ema}). */
  public ImportSpec withEma(boolean value) {
    return new ImportSpec(model, checkpoint, output, numClasses, imageSize, value, classNames);
  }

  /** The class names to store, in logit order ({@code import --class-names}); null for the default. */
  public ImportSpec withClassNames(List<String> names) {
    return new ImportSpec(model, checkpoint, output, numClasses, imageSize, ema, names);
  }
}
