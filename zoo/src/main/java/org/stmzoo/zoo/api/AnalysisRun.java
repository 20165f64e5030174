package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.analysis.AnalysisModel;
import org.stmzoo.zoo.analysis.ModelLabels;
import org.stmzoo.zoo.analysis.Progress;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * An {@link AnalysisSpec} made concrete for one run of {@link Analyses}: the output folder checked, every model's
 * weights located (every release resolved) and checked against the sizes the analysis opens it at, the data read,
 * the releases fetched and the models labelled ({@link ModelLabels}), in that order, before any model is built.
 */
final class AnalysisRun {
  /**
   * The sizes an analysis opens every model at: the ERF's ({@code erfSize}, null: none), and with {@code ownSize}
   * the model's own (its spec's, else its weights').
   */
  record OpenedAt(Integer erfSize, boolean ownSize) {
    static OpenedAt erf(int size) {
      return new OpenedAt(size, false);
    }

    static OpenedAt modelsOwnSize() {
      return new OpenedAt(null, true);
    }

    /** The report's: the ERF at its size, the other analyses at the model's own. */
    static OpenedAt erfAndOwnSize(int erfSize) {
      return new OpenedAt(erfSize, true);
    }
  }

  private final AnalysisSpec spec;
  private final PrintStream log;
  private final LoadedAnalysisData data;
  private final List<AnalysisModel.Spec> models;
  private final List<String> labels;

  private AnalysisRun(AnalysisSpec spec, PrintStream log, LoadedAnalysisData data, List<AnalysisModel.Spec> models,
      List<String> labels) {
    this.spec = spec;
    this.log = log;
    this.data = data;
    this.models = models;
    this.labels = labels;
  }

  static AnalysisRun start(AnalysisSpec spec, PrintStream log, OpenedAt sizes) throws IOException {
    PathChecks.outputFolder(spec.output());
    // every model's weights located and its sizes checked before the data is read or a release fetched: a bad
    // second model fails before the first one's download or analysis
    List<PretrainedRelease> releases = new ArrayList<>();
    for (ModelSpec model : spec.models()) {
      releases.add(checkModel(model, sizes));
    }
    LoadedAnalysisData data = LoadedAnalysisData.read(spec.data());
    Integer randomClasses = spec.randomInitClasses() != null ? spec.randomInitClasses()
        : data.classNames() != null ? Integer.valueOf(data.classNames().size()) : null;
    List<AnalysisModel.Spec> models = new ArrayList<>();
    for (int m = 0; m < spec.models().size(); m++) {
      models.add(analysisModel(spec.models().get(m), releases.get(m), randomClasses));
    }
    return new AnalysisRun(spec, log, data, List.copyOf(models), ModelLabels.of(models));
  }

  /**
   * Fails when {@code model} cannot be opened at {@code sizes}, or when its weights are not there (a checkpoint
   * folder that is none, an unknown model name for a random initialisation, an unknown tag); its release, resolved,
   * when its weights are one (else null).
   */
  private static PretrainedRelease checkModel(ModelSpec model, OpenedAt sizes) throws IOException {
    PretrainedRelease release = model.weights() instanceof Weights.Pretrained ? PretrainedRelease.of(model) : null;
    ModelEntry entry = release != null ? release.model()
        : model.weights() instanceof Weights.Checkpoint c ? StmzooCheckpoint.resolve(c.path()).entry()
        : ModelRegistry.get(model.model());
    if (sizes.erfSize() != null) {
      entry.checkImageSize(sizes.erfSize());
    }
    if (sizes.ownSize() && model.imageSize() != null) { // null: the weights' own size, which fits them
      entry.checkImageSize(model.imageSize());
    }
    return release;
  }

  /**
   * {@code model} as the analyses open it, its release (when it has one) fetched; a random initialisation has
   * {@code randomClasses} classes (null: 1000).
   */
  private static AnalysisModel.Spec analysisModel(ModelSpec model, PretrainedRelease release, Integer randomClasses)
      throws IOException {
    if (model.weights() instanceof Weights.Checkpoint c) {
      return new AnalysisModel.Spec(model.model(), new AnalysisModel.Weights.Checkpoint(c.path(), c.ema()),
          model.imageSize(), null);
    }
    if (model.weights() instanceof Weights.Random r) {
      return new AnalysisModel.Spec(ModelRegistry.get(model.model()).name(),
          new AnalysisModel.Weights.RandomInit(r.seed()), model.imageSize(), randomClasses);
    }
    PretrainedRelease.Fetched fetched = release.fetch();
    return new AnalysisModel.Spec(release.model().name(), new AnalysisModel.Weights.Reference(fetched.file(),
        fetched.description(), release.preprocessing()), model.imageSize(), null);
  }

  int modelCount() {
    return models.size();
  }

  AnalysisModel.Spec model(int m) {
    return models.get(m);
  }

  String label(int m) {
    return labels.get(m);
  }

  /** All images model {@code m} reads: with a dataset the same object for every model. */
  AnalysisImages images(int m) throws IOException {
    return data.forModel(models.get(m).preprocessing());
  }

  /** Where model {@code m} writes its results: the output folder itself for one model, else its label's folder. */
  Path folder(int m) {
    return models.size() == 1 ? spec.output() : spec.output().resolve(labels.get(m));
  }

  Path output() {
    return spec.output();
  }

  /**
   * Opens model {@code m} at {@code size} (null: its spec's) and logs what loading it noted (weights adapted to
   * the size, the live weights of a run that scored its EMA weights), before its progress bar starts.
   */
  AnalysisModel open(int m, Integer size) throws IOException {
    AnalysisModel.Spec model = models.get(m);
    AnalysisModel opened = AnalysisModel.open(size == null ? model : model.withImageSize(size));
    logNotes(opened.notes(), models.size() > 1 ? labels.get(m) : null);
    return opened;
  }

  /** {@code note: NOTE} lines, {@code note: LABEL: NOTE} with a label. */
  void logNotes(List<String> notes, String label) {
    notes.forEach(note -> log.println("note: " + (label == null ? "" : label + ": ") + note));
  }

  /** The progress of {@code units} work units named {@code task}: the spec's console bar, or none. */
  Progress progress(String task, long units) {
    return spec.progressBar() ? Progress.console(task, units) : Progress.quiet();
  }
}
