package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntToLongFunction;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.analysis.AnalysisModel;
import org.stmzoo.zoo.analysis.Erf;
import org.stmzoo.zoo.analysis.ErfResult;
import org.stmzoo.zoo.analysis.Invariance;
import org.stmzoo.zoo.analysis.InvarianceResult;
import org.stmzoo.zoo.analysis.Progress;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.analysis.Robustness;
import org.stmzoo.zoo.analysis.RobustnessResult;
import org.stmzoo.zoo.analysis.StratifiedSamples;

/**
 * The STM analyses of {@code ./stmzoo analyze} for one or several models: the effective receptive field
 * ({@code erf}), invariance to translation, rotation and scale ({@code invariance}), adversarial robustness
 * ({@code robustness}), and all of them side by side ({@code report}).
 *
 * <pre>{@code
 * AnalysisSpec spec = AnalysisSpec.of(List.of(ModelSpec.of("u-convnext-micro", Weights.pretrained("in1k")),
 *     ModelSpec.of("deit-tiny", Weights.pretrained("in1k"))), AnalysisData.dataset("photos"), Path.of("analysis"));
 * List<InvarianceResult> results = Analyses.invariance(spec,
 *     new Invariance.Spec(Invariance.Type.TRANSLATION, 100, 32, 0, null), System.out);
 * }</pre>
 *
 * Each call checks the output folder, resolves every model's weights (every release's tag) and checks each model
 * against the image sizes the analysis opens it at, then reads the data and fetches the releases (their download
 * progress on standard error, as {@link Stmzoo#load} shows it), all before it builds a model; then it runs the
 * models in turn, each built in a graph of its own and closed after its analysis. It writes what
 * {@code ./stmzoo analyze} writes and returns the results per model, in the spec's order, each named by its label
 * ({@code model()}: the model's name, qualified where two models share it). {@code log} hears what the CLI prints:
 * what loading a model noted ({@code note: ...}), the sample analysed, each model's summary. Invariance and
 * robustness read a class-stratified sample of the data: the same images for every model at one seed.
 *
 * <p>The settings ({@link Erf.Spec}, {@link Invariance.Spec}, {@link Robustness.Spec}, {@link Report.Spec}) and the
 * results ({@link ErfResult}, {@link InvarianceResult}, {@link RobustnessResult}, {@link Report.ModelResults}) are
 * public records of {@code org.stmzoo.zoo.analysis} and part of this API.
 */
public final class Analyses {
  private Analyses() {}

  /**
   * The effective receptive field of each model, opened at {@code erf.imageSize()}, averaged over the first
   * {@code erf.images()} readable images with a finite map; writes {@code erf.npy}, {@code erf.png} and
   * {@code erf.csv} per model.
   */
  public static List<ErfResult> erf(AnalysisSpec spec, Erf.Spec erf, PrintStream log) throws IOException {
    checkArguments(spec, erf, "erf", log);
    AnalysisRun run = AnalysisRun.start(spec, log, AnalysisRun.OpenedAt.erf(erf.imageSize()));
    return eachModel(run, erf.imageSize(), images -> images, "erf", erf::units,
        (model, images, progress, dir, label) -> {
          ErfResult result = Erf.measure(model, images, erf, progress).withModel(label);
          result.write(dir);
          log.print(result.summary());
          if (result.images() < erf.images()) {
            log.printf(Locale.ROOT, "  %d maps averaged, not the %d asked for: %s has no more readable"
                + " images with a finite map%n", result.images(), erf.images(), images.description());
          }
          return result;
        });
  }

  /**
   * Accuracy, consistency and loss of each model under {@code invariance.type()}'s transformation, on a
   * class-stratified sample of {@code invariance.images()} images; writes {@code invariance-TYPE.csv} and
   * {@code .png} per model, and with several models {@code invariance-TYPE.png} comparing them in the output
   * folder.
   */
  public static List<InvarianceResult> invariance(AnalysisSpec spec, Invariance.Spec invariance, PrintStream log)
      throws IOException {
    checkArguments(spec, invariance, "invariance", log);
    AnalysisRun run = AnalysisRun.start(spec, log, AnalysisRun.OpenedAt.modelsOwnSize());
    SampleOnce sample = new SampleOnce(invariance.images(), invariance.seed(), log);
    List<InvarianceResult> results = eachModel(run, null, sample::of, invariance.type().flag(), invariance::units,
        (model, images, progress, dir, label) -> {
          InvarianceResult result = Invariance.measure(model, images, invariance, progress).withModel(label);
          result.write(dir);
          log.print(result.summary());
          return result;
        });
    if (results.size() > 1) {
      InvarianceResult.plot(run.output().resolve("invariance-" + invariance.type().flag() + ".png"), results);
    }
    return results;
  }

  /**
   * Clean and adversarial accuracy of each model under {@code robustness.attack()} at each eps, on a
   * class-stratified sample of {@code robustness.images()} labelled images; writes {@code robustness-ATTACK.csv}
   * and {@code .png} per model (and {@code robustness.saveExamples()} example images under {@code examples/}),
   * and with several models {@code robustness-ATTACK.png} comparing them in the output folder.
   *
   * @throws IllegalArgumentException for an unlabelled batch ({@link AnalysisData#npy(Path)}): an attack raises
   *     the loss of an image's label
   */
  public static List<RobustnessResult> robustness(AnalysisSpec spec, Robustness.Spec robustness, PrintStream log)
      throws IOException {
    checkArguments(spec, robustness, "robustness", log);
    refuseUnlabelledAttacks(spec);
    AnalysisRun run = AnalysisRun.start(spec, log, AnalysisRun.OpenedAt.modelsOwnSize());
    SampleOnce sample = new SampleOnce(robustness.images(), robustness.seed(), log);
    List<RobustnessResult> results = eachModel(run, null, sample::of, robustness.attack().flag(), robustness::units,
        (model, images, progress, dir, label) -> {
          RobustnessResult result = Robustness.measure(model, images, robustness, progress,
              dir.resolve("examples")).withModel(label);
          result.write(dir);
          log.print(result.summary());
          return result;
        });
    if (results.size() > 1) {
      RobustnessResult.plot(run.output().resolve("robustness-" + robustness.attack().flag() + ".png"), results);
    }
    return results;
  }

  /**
   * The report: every analysis of {@code report} for each model, each model's results in {@code output/LABEL/}
   * (with one model too), the comparisons in the output folder, and {@code report.md} with the same content as a
   * self-contained {@code report.html}. {@code log} hears each model's notes once the report is written.
   *
   * @throws IllegalArgumentException for an unlabelled batch ({@link AnalysisData#npy(Path)}) when
   *     {@code report.robustness()} names an attack, before anything is read
   */
  public static List<Report.ModelResults> report(AnalysisSpec spec, Report.Spec report, PrintStream log)
      throws IOException {
    checkArguments(spec, report, "report", log);
    if (!report.robustness().isEmpty()) {
      refuseUnlabelledAttacks(spec);
    }
    AnalysisRun run = AnalysisRun.start(spec, log, AnalysisRun.OpenedAt.erfAndOwnSize(report.erf().imageSize()));
    List<Report.Entry> entries = new ArrayList<>();
    for (int m = 0; m < run.modelCount(); m++) {
      entries.add(new Report.Entry(run.model(m), run.images(m)));
    }
    List<Report.ModelResults> results;
    try (Progress progress = run.progress("report", Report.units(entries, report))) {
      results = Report.run(entries, report, run.output(), progress);
    }
    for (Report.ModelResults r : results) {
      run.logNotes(r.notes(), results.size() > 1 ? r.model() : null);
    }
    return results;
  }

  /** An attack raises the loss of an image's label: refused before the batch is read or any model has run. */
  private static void refuseUnlabelledAttacks(AnalysisSpec spec) {
    if (spec.data() instanceof AnalysisData.Npy npy && npy.labels() == null) {
      throw new IllegalArgumentException("the attacks need labels: " + npy.batch() + " has none (give them with"
          + " AnalysisData.npy(batch, labels))");
    }
  }

  private static void checkArguments(AnalysisSpec spec, Object settings, String settingsName, PrintStream log) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(settings, settingsName);
    Objects.requireNonNull(log, "log");
  }

  /** The images one model's analysis reads, of all the images it could read. */
  @FunctionalInterface
  private interface Images {
    AnalysisImages of(AnalysisImages all);
  }

  /** One model's analysis: its result, under its label, written into its folder. */
  @FunctionalInterface
  private interface PerModel<R> {
    R run(AnalysisModel model, AnalysisImages images, Progress progress, Path dir, String label) throws IOException;
  }

  /**
   * Runs {@code analysis} for each model in turn on {@code images} of its data, the model opened at {@code size}
   * (null: its spec's) with its notes logged, under a progress of {@code units(images)} named {@code task}. The
   * results in the models' order.
   */
  private static <R> List<R> eachModel(AnalysisRun run, Integer size, Images images, String task,
      IntToLongFunction units, PerModel<R> analysis) throws IOException {
    List<R> results = new ArrayList<>();
    for (int m = 0; m < run.modelCount(); m++) {
      AnalysisImages read = images.of(run.images(m));
      try (AnalysisModel opened = run.open(m, size);
          Progress progress = run.progress(task, units.applyAsLong(read.size()))) {
        results.add(analysis.run(opened, read, progress, run.folder(m), run.label(m)));
      }
    }
    return results;
  }

  /** The class-stratified sample of {@code n} images at {@code seed} ({@link StratifiedSamples}), logged once. */
  private static final class SampleOnce {
    private final StratifiedSamples samples = new StratifiedSamples();
    private final int n;
    private final long seed;
    private final PrintStream log;

    SampleOnce(int n, long seed, PrintStream log) {
      this.n = n;
      this.seed = seed;
      this.log = log;
    }

    AnalysisImages of(AnalysisImages all) {
      boolean first = samples.first().isEmpty();
      AnalysisImages sample = samples.of(all, n, seed);
      if (first) {
        log.println("Images: " + sample.description());
      }
      return sample;
    }
  }
}
