package org.stmzoo.zoo.api;

import java.util.List;
import java.util.Objects;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * What {@link Stmzoo#load(ModelSpec)} builds: a registered model with its weights, at an image size, for a set of
 * classes.
 *
 * @param model a registered model name ({@code ./stmzoo list}); null when the weights name it (a checkpoint, a
 *     pretrained full tag)
 * @param imageSize the input size, at least 1 (with a model name, the model's own rule), or null for the model's
 *     default; a checkpoint is loaded at its own size only
 *     (another size is refused: import the reference weights at that size instead)
 * @param classNames the class names of a randomly initialised model, or null for 1000 numbered classes;
 *     checkpoints and releases bring their own, which these rename (as many names as classes); each named once
 * @param speed how the loaded model runs on CPU cores ({@link InferenceSpeed}); null for TF's defaults
 */
public record ModelSpec(String model, Weights weights, Integer imageSize, List<String> classNames,
    Downloads downloads, InferenceSpeed speed) {
  public ModelSpec {
    if (weights == null) {
      throw new IllegalArgumentException("say where the weights come from (Weights.random(), .checkpoint(DIR),"
          + " .pretrained(TAG))");
    }
    if (model == null && weights instanceof Weights.Random) {
      throw new IllegalArgumentException("a randomly initialised model needs a model name");
    }
    Objects.requireNonNull(downloads, "ModelSpec.downloads");
    if (imageSize != null) {
      ConfigChecks.positive("ModelSpec.imageSize", imageSize);
    }
    if (model != null) {
      // a name is checked now, and a size against its rule (a multiple of its patch or stride), as the other specs
      // check theirs: not when the model is loaded, a download or another model's analysis later; a size for
      // weights that name their model is checked once they are read
      ModelEntry entry = ModelRegistry.get(model);
      if (imageSize != null) {
        entry.checkImageSize(imageSize);
      }
    }
    if (classNames != null) {
      classNames = ClassNames.distinct("ModelSpec.classNames", classNames);
    }
    speed = speed == null ? InferenceSpeed.DEFAULT : speed;
  }

  public static ModelSpec of(String model, Weights weights) {
    return new ModelSpec(model, weights, null, null, Downloads.fromEnvironment(), InferenceSpeed.DEFAULT);
  }

  public ModelSpec withImageSize(int size) {
    return new ModelSpec(model, weights, size, classNames, downloads, speed);
  }

  public ModelSpec withClassNames(List<String> names) {
    return new ModelSpec(model, weights, imageSize, names, downloads, speed);
  }

  public ModelSpec withDownloads(Downloads value) {
    return new ModelSpec(model, weights, imageSize, classNames, value, speed);
  }

  /** Runs the loaded model as {@code value} says, e.g. {@link InferenceSpeed#latency(int)} for one image at a time. */
  public ModelSpec withSpeed(InferenceSpeed value) {
    return new ModelSpec(model, weights, imageSize, classNames, downloads, value);
  }
}
