package org.stmzoo.zoo.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.SavedModelExporter.ExportResult;
import org.stmzoo.export.WeightSource;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.checkpoint.TrainingSummary;
import org.stmzoo.zoo.registry.ExportRequests;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ImportedWeights;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;

/**
 * The zoo from Java: load a model with its weights, then classify, embed, fine-tune or export it.
 *
 * <pre>{@code
 * try (StmzooModel model = Stmzoo.load("u-convnext-micro", Weights.pretrained("in1k"))) {
 *   for (Prediction p : model.classify(Path.of("cat.jpg"), 5)) {
 *     System.out.println(p.label() + " " + p.probability());
 *   }
 * }
 * }</pre>
 *
 * What each CLI command does is one call here: {@code predict} is {@link StmzooModel#classify}, {@code export}
 * is {@link #export(ExportSpec)} (or {@link StmzooModel#export} of a loaded model), {@code train} is
 * {@link Training#run} (or {@link StmzooModel#finetune}), {@code eval} is {@link Evaluation#run}. The other commands
 * have entry points of their own: {@link Catalogue} ({@code list}, {@code describe}, {@code pretrained list}),
 * {@link Downloads#download} ({@code download}), {@link WeightImport#run} ({@code import}), {@link Analyses}
 * ({@code analyze}) and {@link Benchmarks#run} ({@code benchmark}).
 */
public final class Stmzoo {
  private Stmzoo() {}

  /**
   * A registered model ({@code ./stmzoo list}) with {@code weights}: random (1000 numbered classes), a published
   * release (downloaded into the cache on first use; {@code STMZOO_HOME}, {@code STMZOO_OFFLINE},
   * {@code STMZOO_MIRROR} apply), or an stmzoo checkpoint of that model.
   */
  public static StmzooModel load(String model, Weights weights) throws IOException {
    return load(ModelSpec.of(model, weights));
  }

  /**
   * An stmzoo checkpoint (an import output, a training run folder: its best weights, else its last; or one of
   * its {@code best/}, {@code last/}), or an export (a SavedModel version directory or TF Serving base
   * directory, loaded through TF's SavedModel loader).
   */
  public static StmzooModel load(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    if (ExportModel.isExport(path)) {
      return loadExport(path);
    }
    return load(new ModelSpec(null, Weights.checkpoint(path), null, null, Downloads.fromEnvironment(), null));
  }

  /**
   * An export (a SavedModel version directory, or a TF Serving base directory: its highest version), loaded through
   * TF's SavedModel loader as a serving stack loads it.
   */
  public static StmzooModel loadExport(Path dir) {
    Objects.requireNonNull(dir, "dir");
    return new ExportModel(ExportedModel.load(dir));
  }

  /**
   * {@code spec}'s model built in this process. Its notes (see {@link #load(ModelSpec, Consumer)}) go to standard
   * error as {@code note: ...}, as {@link #export(ExportSpec)}'s do.
   */
  public static StmzooModel load(ModelSpec spec) throws IOException {
    return load(spec, SavedModelExporter::printNote);
  }

  /**
   * As {@link #load(ModelSpec)}; {@code notes} hears what importing published weights adapted (another image size's
   * position embeddings or relative tables) and, for the live weights of a checkpoint whose run scored its EMA
   * weights, that the run's score is not theirs ({@link StmzooCheckpoint#emaScoreNote}).
   */
  public static StmzooModel load(ModelSpec spec, Consumer<String> notes) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(notes, "notes");
    return new GraphModel(request(spec, notes, "Weights.checkpointEma (predict --ema) loads the EMA weights"),
        spec.weights(), spec.downloads(), spec.speed());
  }

  /**
   * Writes {@code spec}'s model as a TF Serving SavedModel ({@code baseDir/<version>/}, the model card beside it)
   * without building it in this process first: what {@code ./stmzoo export} does. Its notes (see
   * {@link #export(ExportSpec, Consumer)}: what importing published weights adapted, the EMA weights a run scored,
   * and what was removed of earlier exports that did not finish, which may be gigabytes) go to standard error as
   * {@code note: ...}, as {@link SavedModelExporter#export(ExportRequest, Path, long)}'s do.
   */
  public static ExportResult export(ExportSpec spec) throws IOException {
    return export(spec, SavedModelExporter::printNote);
  }

  /**
   * As {@link #export(ExportSpec)}; {@code notes} hears what importing published weights adapted, when the
   * weights are the live ones of a checkpoint whose run scored its EMA weights
   * ({@link StmzooCheckpoint#emaScoreNote}), and what was removed of earlier exports into the same folder that did
   * not finish ({@link SavedModelExporter#writeAtomically}).
   */
  public static ExportResult export(ExportSpec spec, Consumer<String> notes) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(notes, "notes");
    return SavedModelExporter.export(request(spec.model(), notes, "--ema exports the EMA weights").withRowStreams(spec.rowStreams())
        .withBatchStreams(spec.batchStreams()).withFusedLayerNorm(spec.fusedLayerNorm()), spec.baseDir(),
        spec.version(), notes);
  }

  /**
   * The model, size, preprocessing, classes and weight source {@code spec} names, as an export takes them;
   * {@code emaHint} ends the note on a checkpoint's live weights with how this use takes the EMA ones instead.
   */
  static ExportRequest request(ModelSpec spec, Consumer<String> notes, String emaHint) throws IOException {
    if (spec.weights() instanceof Weights.Random r) {
      ModelEntry entry = ModelRegistry.get(spec.model());
      List<String> classes = spec.classNames() != null ? spec.classNames() : ExportRequest.numberedClasses(1000);
      return ExportRequests.of(entry, size(spec, entry), classes, WeightSource.randomInit(), r.seed());
    }
    if (spec.weights() instanceof Weights.Checkpoint c) {
      return checkpointRequest(spec, c, notes, emaHint);
    }
    PretrainedRelease release = PretrainedRelease.of(spec);
    ModelEntry entry = release.model();
    int size = size(spec, entry);
    entry.checkImageSize(size); // before a download that could not be used
    List<String> classes = renamed(spec, ImageNetClasses.names(), "the release"); // the releases classify ImageNet-1k
    PretrainedRelease.Fetched fetched = release.fetch();
    WeightSource weights = new ImportedWeights(entry, ReferenceCheckpoints.read(fetched.file()),
        fetched.description(), notes);
    return ExportRequests.of(entry, size, release.preprocessing(), classes, weights, 0);
  }

  private static ExportRequest checkpointRequest(ModelSpec spec, Weights.Checkpoint weights, Consumer<String> notes,
      String emaHint) throws IOException {
    Path path = weights.path();
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(path);
    RunModel model = RunModel.of(checkpoint);
    if (spec.model() != null && !spec.model().equals(model.entry().name())) {
      throw new IllegalArgumentException(path + " holds " + model.entry().name() + " weights, not " + spec.model());
    }
    if (spec.imageSize() != null && spec.imageSize() != model.options().imageSize()) {
      throw new IllegalArgumentException(path + " is for " + model.options().imageSize() + "px inputs, not "
          + spec.imageSize() + " (import the reference weights at the other size instead)");
    }
    List<String> classes = renamed(spec, model.classes().isEmpty()
        ? ExportRequest.numberedClasses(model.options().numClasses()) : model.classes(), path.toString());
    checkpoint.emaScoreNote(weights.ema()).ifPresent(note -> notes.accept(note + "; " + emaHint));
    return ExportRequests.of(model.entry(), model.options().imageSize(), checkpoint.preprocessing(), classes,
            checkpoint.exportWeights(weights.ema()), 0)
        .withTrainingSummary(TrainingSummary.of(checkpoint, weights.ema()).orElse(null));
  }

  /** The spec's class names in place of {@code own}, which they must match in number; else {@code own}. */
  private static List<String> renamed(ModelSpec spec, List<String> own, String source) {
    if (spec.classNames() == null) {
      return own;
    }
    if (spec.classNames().size() != own.size()) {
      throw new IllegalArgumentException(source + " classifies " + own.size() + " classes, but "
          + spec.classNames().size() + " class names were given");
    }
    return spec.classNames();
  }

  private static int size(ModelSpec spec, ModelEntry entry) {
    return spec.imageSize() != null ? spec.imageSize() : entry.defaultImageSize();
  }
}
