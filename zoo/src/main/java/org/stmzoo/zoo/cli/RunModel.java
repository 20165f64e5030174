package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * The model of a training run as its args.json records it: what eval, --init and --distill-teacher need to
 * rebuild it. Images are always fed as RGB (grayscale sources are replicated) normalised with the model's
 * mean/std.
 */
record RunModel(ModelEntry entry, ModelOptions options, List<String> classes) {
  static RunModel of(ModelEntry entry, int imageSize, Float dropPath, List<String> classes) {
    return new RunModel(entry, new ModelOptions(classes.size(), 3, imageSize, dropPath), List.copyOf(classes));
  }

  /** Reads the run folder {@code dir}, or the run folder above a checkpoint folder such as {@code dir/best}. */
  static RunModel read(Path dir) throws IOException {
    RunDirectory run = new RunDirectory(runFolder(dir));
    Map<String, Object> args = run.readArgs();
    @SuppressWarnings("unchecked")
    List<String> classes = (List<String>) args.get("classes");
    Object dropPath = args.get("drop_path");
    return of(ModelRegistry.get((String) args.get("model")), ((Number) args.get("image_size")).intValue(),
        dropPath == null ? null : ((Number) dropPath).floatValue(), classes);
  }

  /** {@code dir} if it holds args.json, else its parent when that does (dir is then a checkpoint folder). */
  static Path runFolder(Path dir) {
    if (Files.exists(dir.resolve(RunDirectory.ARGS))) {
      return dir;
    }
    if (dir.getParent() != null && Files.exists(dir.getParent().resolve(RunDirectory.ARGS))) {
      return dir.getParent();
    }
    throw new IllegalArgumentException(dir + " is not a stmzoo run folder (no " + RunDirectory.ARGS + ")");
  }

  /**
   * The checkpoint prefix for {@code dir}: a checkpoint folder itself, or a run folder's {@code preferred}
   * checkpoint ({@code best} or {@code last}), falling back to the other.
   */
  static Path checkpointPrefix(Path dir, String preferred) throws IOException {
    if (Files.exists(dir.resolve(RunDirectory.CHECKPOINT_INFO))) {
      return RunDirectory.checkpointPrefix(dir);
    }
    RunDirectory run = new RunDirectory(runFolder(dir));
    String other = preferred.equals(RunDirectory.BEST) ? RunDirectory.LAST : RunDirectory.BEST;
    for (String name : List.of(preferred, other)) {
      if (run.hasCheckpoint(name)) {
        return run.checkpoint(name);
      }
    }
    throw new IllegalArgumentException(dir + " holds no checkpoint ('best' or 'last')");
  }

  TransformConfig trainTransform(String autoAugment, float minScale) {
    return TransformConfig.train(options.imageSize(), entry.preprocessing().mean(), entry.preprocessing().std(),
        autoAugment, true).withMinScale(minScale);
  }

  TransformConfig evalTransform() {
    return TransformConfig.eval(options.imageSize(), entry.preprocessing().cropPct(), entry.preprocessing().mean(),
        entry.preprocessing().std(), true);
  }

  /** Fails before training when a checkpoint's classes are not this run's. */
  void checkClasses(List<String> other, String what) {
    if (!classes.equals(other)) {
      throw new IllegalArgumentException(what + " was trained on classes " + other + ", but the data has " + classes);
    }
  }
}
