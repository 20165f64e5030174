package org.stmzoo.zoo.api;

import java.util.List;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;

/**
 * A model with the classes it is trained on: the one train builds, or the one a checkpoint holds (what eval and
 * --distill-teacher rebuild). Images are always fed as RGB (grayscale sources are replicated) normalised with the
 * model's mean/std.
 */
public record RunModel(ModelEntry entry, ModelOptions options, List<String> classes) {
  public static RunModel of(ModelEntry entry, int imageSize, Float dropPath, List<String> classes) {
    return new RunModel(entry, new ModelOptions(classes.size(), 3, imageSize, dropPath), List.copyOf(classes));
  }

  /**
   * The model a checkpoint holds (a checkpoint or run folder, see {@link StmzooCheckpoint#resolve}), with its
   * class names: empty when the checkpoint does not name them (an import without --class-names).
   */
  public static RunModel of(StmzooCheckpoint checkpoint) {
    CheckpointFolder.Metadata meta = checkpoint.metadata();
    if (meta.inChannels() != 3) {
      throw new IllegalArgumentException("images are fed as RGB, but " + checkpoint.directory() + " holds a model with "
          + meta.inChannels() + " input channels");
    }
    return new RunModel(checkpoint.entry(), checkpoint.options(), meta.classNames());
  }

  /** What the checkpoints of a run training this model say they hold. */
  public CheckpointFolder.Metadata checkpointMetadata(String source) {
    return CheckpointFolder.Metadata.of(entry.name(), classes.size(), options.imageSize(), options.inChannels(),
        classes, source);
  }

  public TransformConfig trainTransform(String autoAugment, float minScale) {
    return TransformConfig.train(options.imageSize(), entry.preprocessing().mean(), entry.preprocessing().std(),
        autoAugment, true).withMinScale(minScale);
  }

  /** Evaluation geometry with {@code cropPct} (the model's own is {@code entry().preprocessing().cropPct()}). */
  public TransformConfig evalTransform(float cropPct) {
    return TransformConfig.eval(options.imageSize(), cropPct, entry.preprocessing().mean(),
        entry.preprocessing().std(), true, entry.preprocessing().interpolation());
  }

  /**
   * Fails early when this model (a checkpoint's) was trained on other classes than {@code data}'s; a checkpoint
   * without class names only needs their number to agree.
   */
  public void checkClasses(List<String> data, String what) {
    if (classes.isEmpty() ? options.numClasses() != data.size() : !classes.equals(data)) {
      throw new IllegalArgumentException(what + " was trained on " + (classes.isEmpty()
          ? options.numClasses() + " classes" : describe(classes)) + ", but the data has " + describe(data));
    }
  }

  /** A class list short enough for one line: all names when few, else the count and the first three. */
  private static String describe(List<String> names) {
    return names.size() <= 20 ? "classes " + names
        : names.size() + " classes [" + String.join(", ", names.subList(0, 3)) + ", ...]";
  }
}
