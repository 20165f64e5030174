package org.stmzoo.zoo.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.io.ShellWords;
import org.stmzoo.recipes.output.AtomicFiles;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.SizeAdaptation;
import org.tensorflow.Session;

/**
 * An stmzoo checkpoint ({@link CheckpointFolder}: {@code variables.*} + {@value CheckpointFolder#METADATA_FILE})
 * with what the registry adds: the model to build, and restoring its weights. {@code import} and training
 * ({@code RUN/last}, {@code RUN/best}) write the same layout, so predict, eval, export and train --init read
 * either through {@link #resolve}:
 * <pre>
 *   StmzooCheckpoint ckpt = StmzooCheckpoint.resolve(path);
 *   BuiltModel built = BuiltModel.build(ckpt.entry(), ckpt.options(), graph, ...);
 *   ckpt.restore(session, built, false);
 * </pre>
 */
public final class StmzooCheckpoint {
  public static final String METADATA_FILE = CheckpointFolder.METADATA_FILE;

  /** The metadata for {@code built}'s weights, written by {@link #write}. */
  public static CheckpointFolder.Metadata metadataFor(BuiltModel built, List<String> classNames, String source) {
    ModelOptions o = built.options();
    return CheckpointFolder.Metadata.of(built.entry().name(), o.numClasses(), o.imageSize(), o.inChannels(),
        classNames, source);
  }

  private final Path directory;
  private final CheckpointFolder.Metadata metadata;
  private final Optional<RunDirectory> run;

  private StmzooCheckpoint(Path directory, CheckpointFolder.Metadata metadata, Optional<RunDirectory> run) {
    this.directory = directory;
    this.metadata = metadata;
    this.run = run;
  }

  /**
   * The checkpoint a command-line path names, the same for every command:
   * <ul>
   *   <li>a checkpoint folder (it has {@value CheckpointFolder#METADATA_FILE}): an {@code import} output, or a
   *       run's {@code RUN/best} or {@code RUN/last} named explicitly;</li>
   *   <li>a training run folder: its {@code best} checkpoint (highest eval top-1, or lowest train loss without a
   *       validation set: the weights one would deploy), or {@code last} when there is no {@code best} yet (a
   *       run interrupted in its first epoch).</li>
   * </ul>
   */
  public static StmzooCheckpoint resolve(Path path) throws IOException {
    if (CheckpointFolder.isCheckpoint(path)) {
      Path parent = path.toAbsolutePath().getParent();
      Optional<RunDirectory> run = parent != null && Files.isRegularFile(parent.resolve(RunDirectory.ARGS))
          ? Optional.of(new RunDirectory(parent)) : Optional.empty();
      return new StmzooCheckpoint(path, CheckpointFolder.read(path), run);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException("no checkpoint at " + path + " (no such folder)");
    }
    RunDirectory run = new RunDirectory(path);
    for (String name : new String[] {RunDirectory.BEST, RunDirectory.LAST}) {
      if (run.hasCheckpoint(name)) {
        Path folder = run.checkpoint(name);
        return new StmzooCheckpoint(folder, CheckpointFolder.read(folder), Optional.of(run));
      }
    }
    if (ExportedModel.findVersion(path).isPresent()) {
      // the likeliest mix-up: an export's folder given where a checkpoint is read, so say how it is read instead
      throw new IllegalArgumentException(path + " is a SavedModel export, not an stmzoo checkpoint: load it with"
          + " Stmzoo.load(dir) or run predict --model-dir " + ShellWords.quote(path));
    }
    throw new IllegalArgumentException(path + " is neither an stmzoo checkpoint (no " + METADATA_FILE
        + ": an import output, RUN/best, RUN/last) nor a training run holding best/ or last/");
  }

  /** Reads the checkpoint folder {@code directory} itself (not a run folder). */
  public static StmzooCheckpoint read(Path directory) throws IOException {
    return new StmzooCheckpoint(directory, CheckpointFolder.read(directory), Optional.empty());
  }

  /**
   * Saves every model variable of {@code built} from {@code session} into the checkpoint folder {@code directory}
   * ({@code import}'s output). The folder is written whole under a temporary name and renamed into place, as
   * training writes {@code RUN/last} ({@link AtomicFiles#writeFolder}): a write that fails or is killed leaves a
   * checkpoint already there as it was, and TensorFlow's temporary files never land in it. Replacing the folder
   * replaces all of it, so an existing {@code directory} must be a checkpoint folder or empty.
   *
   * @throws IllegalArgumentException when {@code directory} exists and is neither
   */
  public static StmzooCheckpoint write(Path directory, Session session, BuiltModel built,
      CheckpointFolder.Metadata metadata) throws IOException {
    if (Files.exists(directory) && !CheckpointFolder.isCheckpoint(directory) && !isEmptyFolder(directory)) {
      throw new IllegalArgumentException(directory + " exists and is not an stmzoo checkpoint: writing one there"
          + " would replace everything in it; name a new or empty folder");
    }
    CheckpointOps ops = CheckpointOps.build(built.model(), "stmzoo_checkpoint", built.model().modelVariables());
    AtomicFiles.writeFolder(directory, folder -> CheckpointFolder.write(folder, session, ops, metadata));
    return new StmzooCheckpoint(directory, metadata, Optional.empty());
  }

  private static boolean isEmptyFolder(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    }
  }

  public CheckpointFolder.Metadata metadata() {
    return metadata;
  }

  /** The checkpoint folder (for a run folder, its {@code best} or {@code last}). */
  public Path directory() {
    return directory;
  }

  /** The training run the checkpoint folder belongs to, if it is one of a run's. */
  public Optional<RunDirectory> run() {
    return run;
  }

  /** The V2 checkpoint prefix: model weights keyed by path (and training state for a training checkpoint). */
  public Path variablesPrefix() {
    return CheckpointFolder.prefix(directory);
  }

  public ModelEntry entry() {
    return ModelRegistry.get(metadata.model());
  }

  /**
   * How these weights expect their input: the model's preprocessing, with the evaluation crop they were trained
   * with when the checkpoint records one (train --crop-pct).
   */
  public Preprocessing preprocessing() {
    Preprocessing own = entry().preprocessing();
    Float crop = metadata.evalCropPct();
    return crop == null ? own : new Preprocessing(own.mean(), own.std(), crop, own.interpolation());
  }

  /** The options the checkpoint was written for (drop path: the variant's default). */
  public ModelOptions options() {
    return new ModelOptions(metadata.numClasses(), metadata.inChannels(), metadata.imageSize(), null);
  }

  /** One line naming the weights, e.g. for a model card: the folder, its origin, and EMA when chosen. */
  public String describe(boolean ema) {
    String origin = metadata.training() != null
        ? " (" + metadata.source() + ", step " + metadata.training().step() + ")"
        : metadata.source() == null ? "" : " (from " + metadata.source() + ")";
    return "stmzoo checkpoint " + directory + origin + (ema ? ", EMA weights" : "");
  }

  /**
   * What a use of the live weights ({@code ema} false) should be told when the checkpoint's run scored its EMA
   * weights ({@code train --model-ema-eval}): its eval top-1, and which epoch became {@code best}, are of the EMA
   * weights, so the live ones are another model than the one that score describes. Empty otherwise. The live
   * weights stay the default, as they were before runs recorded this.
   */
  public Optional<String> emaScoreNote(boolean ema) {
    CheckpointFolder.Training training = metadata.training();
    if (ema || training == null || !training.evalEma()) {
      return Optional.empty();
    }
    return Optional.of("the run scored the EMA weights of " + directory + " (train --model-ema-eval: its eval"
        + " top-1 and the choice of best/ are theirs), not these live ones");
  }

  /**
   * Assigns every model variable of {@code built} from this checkpoint: the trained weights, or with {@code ema}
   * their EMA copies. The model must be the one the checkpoint was written for, with the same classes,
   * channels and image size (shapes must agree). Training state in the checkpoint is not read.
   */
  public void restore(Session session, BuiltModel built, boolean ema) {
    ModelOptions o = built.options();
    if (!built.entry().name().equals(metadata.model()) || o.numClasses() != metadata.numClasses()
        || o.inChannels() != metadata.inChannels() || o.imageSize() != metadata.imageSize()) {
      throw new IllegalArgumentException("checkpoint " + directory + " holds " + metadata.model() + " ("
          + metadata.numClasses() + " classes, " + metadata.inChannels() + " channels, " + metadata.imageSize()
          + "px), not " + built.entry().name() + " (" + o.numClasses() + " classes, " + o.inChannels()
          + " channels, " + o.imageSize() + "px)");
    }
    restoreOps(built.model(), "stmzoo_restore", ema).restore(session, variablesPrefix().toString());
  }

  /**
   * Restores the weights (with {@code ema} their EMA copies) into {@code variables} of {@code model} (the model's
   * own, without a distillation teacher's that its graph may hold), built at another image size or for
   * another class count than this checkpoint's: size-dependent tensors are resized as the importer resizes them, and
   * the head variables of another shape are left to the caller ({@link SizeAdaptation#restore}).
   */
  public SizeAdaptation.Restored restoreAdapted(Session session, ModelGraph model, List<ModelVariable> variables,
      boolean ema) {
    return SizeAdaptation.restore(variablesPrefix().toString(), keys(ema), ModelRegistry.keyMap(entry()), session,
        model, variables);
  }

  /**
   * The checkpoint as the weights of an export of {@link #entry()} built with {@link #options()}: the export's
   * graph holds the same variable paths, so its own restore op reads them from {@code variables.*}; the EMA
   * weights need ops keyed {@code ema/PATH}.
   */
  public WeightSource exportWeights(boolean ema) {
    requireEma(ema);
    String prefix = variablesPrefix().toString();
    String description = describe(ema);
    return new WeightSource() {
      @Override
      public void load(Session session, ModelGraph model, CheckpointOps checkpoint) {
        (ema ? restoreOps(model, "restore_ema", true) : checkpoint).restore(session, prefix);
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  private CheckpointOps restoreOps(ModelGraph model, String scope, boolean ema) {
    return CheckpointOps.build(model, scope, model.modelVariables(), keys(ema));
  }

  /**
   * Each model variable's tensor in this checkpoint: its own, or with {@code ema} its EMA copy (refused when the
   * checkpoint holds none).
   */
  public Function<ModelVariable, String> keys(boolean ema) {
    requireEma(ema);
    return ema ? v -> CheckpointFolder.EMA_PREFIX + v.path() : ModelVariable::path;
  }

  /** Refuses {@code ema} when this checkpoint holds no EMA weights (a run trained without {@code --model-ema}). */
  public void requireEma(boolean ema) {
    if (ema && !metadata.hasEma()) {
      throw new IllegalArgumentException("checkpoint " + directory + " holds no EMA weights ("
          + (metadata.training() == null ? "not a training checkpoint" : "trained without --model-ema") + ")");
    }
  }
}
