package org.stmzoo.zoo.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.stmzoo.datasets.ImageNetClasses;
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
    if (classes.isEmpty() ? options.numClasses() != data.size() : !ImageNetClasses.sameClasses(classes, data)) {
      throw new IllegalArgumentException(what + " was trained on " + (classes.isEmpty()
          ? options.numClasses() + " classes" : describe(classes)) + ", but the data has " + describe(data));
    }
  }

  /**
   * Why a classifier head trained on a checkpoint's classes ({@code trained}, their names: empty when the checkpoint
   * does not name them, then only {@code count} is known) cannot classify this model's, or empty when it can: another
   * count, other names, or the same names in another order (each output would answer for another class than it was
   * trained on).
   */
  public Optional<String> headMismatch(List<String> trained, int count) {
    if (count != classes.size()) {
      return Optional.of("the checkpoint has " + count + " classes, this run " + classes.size());
    }
    if (trained.isEmpty() || ImageNetClasses.sameClasses(trained, classes)) {
      return Optional.empty();
    }
    if (Set.copyOf(trained).equals(Set.copyOf(classes))) {
      return Optional.of("the checkpoint has this run's classes in another order (" + describe(trained) + ", this run "
          + describe(classes) + ")");
    }
    List<String> onlyTrained = trained.stream().filter(name -> !classes.contains(name)).toList();
    List<String> onlyHere = classes.stream().filter(name -> !trained.contains(name)).toList();
    return Optional.of("the checkpoint was trained on " + describe(trained) + ", this run on " + describe(classes)
        + " (only this run has " + describe(onlyHere) + ", only the checkpoint " + describe(onlyTrained) + ")");
  }

  /** A class list short enough for one line: all names when few, else the count and the first three. */
  private static String describe(List<String> names) {
    return names.size() <= 20 ? "classes " + names
        : names.size() + " classes [" + String.join(", ", names.subList(0, 3)) + ", ...]";
  }
}
