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
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * An {@link AnalysisSpec} made concrete for one run of {@link Analyses}: the output folder checked, the data read,
 * every model's weights located (releases fetched) and labelled ({@link ModelLabels}), in that order, before any
 * model is built.
 */
final class AnalysisRun {
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

  static AnalysisRun start(AnalysisSpec spec, PrintStream log) throws IOException {
    PathChecks.outputFolder(spec.output());
    LoadedAnalysisData data = LoadedAnalysisData.read(spec.data());
    List<AnalysisModel.Spec> models = new ArrayList<>();
    for (ModelSpec model : spec.models()) {
      models.add(analysisModel(model, data.classNames()));
    }
    return new AnalysisRun(spec, log, data, List.copyOf(models), ModelLabels.of(models));
  }

  /**
   * {@code model} as the analyses open it; a random initialisation has as many classes as it names, else as
   * {@code dataClasses} (null: none named), else 1000.
   */
  private static AnalysisModel.Spec analysisModel(ModelSpec model, List<String> dataClasses) throws IOException {
    if (model.weights() instanceof Weights.Checkpoint c) {
      return new AnalysisModel.Spec(model.model(), new AnalysisModel.Weights.Checkpoint(c.path(), c.ema()),
          model.imageSize(), null);
    }
    if (model.weights() instanceof Weights.Random r) {
      Integer classes = model.classNames() != null ? Integer.valueOf(model.classNames().size())
          : dataClasses != null ? Integer.valueOf(dataClasses.size()) : null;
      return new AnalysisModel.Spec(ModelRegistry.get(model.model()).name(),
          new AnalysisModel.Weights.RandomInit(r.seed()), model.imageSize(), classes);
    }
    Weights.Pretrained pretrained = (Weights.Pretrained) model.weights();
    Downloads.Release release = model.downloads().release(model.model(), pretrained.tag());
    Path file = model.downloads().fetch(release, System.err);
    return new AnalysisModel.Spec(release.model().name(), new AnalysisModel.Weights.Reference(file,
        "pretrained " + release.entry().tag() + " (" + file.getFileName() + ")", release.entry().preprocessing()),
        model.imageSize(), null);
  }

  int models() {
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

  PrintStream log() {
    return log;
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
