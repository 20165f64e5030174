package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The three analyses for several models, laid side by side as STM-Evaluation's paper does: the ERF heat maps in one
 * row with their area ratios, the invariance curves of all models overlaid per type, a robustness table. The ERF
 * reads the images in order; invariance and robustness a class-stratified sample of them
 * ({@link AnalysisImages#stratifiedSample}, the same for every model and analysis at one seed). Writes
 * each model's raw results into {@code output/LABEL/} ({@link ModelLabels}: the model's name, qualified where
 * two models share it), the overlays into {@code output/}, and {@code report.md}
 * with the same content as a self-contained {@code report.html} (figures inlined).
 */
public final class Report {
  /** One model with the images it is analysed on (a .npy batch is mapped back with each model's statistics). */
  public record Entry(AnalysisModel.Spec model, AnalysisImages images) {}

  /** What to run for every model: one ERF, the invariance types, the attacks. */
  public record Spec(Erf.Spec erf, List<Invariance.Spec> invariance, List<Robustness.Spec> robustness) {}

  /**
   * Everything measured for one model, with the seconds each analysis took; {@code model} is its label,
   * {@code notes} what loading its weights noted ({@link AnalysisModel#notes}, of both sizes it is opened at).
   */
  public record ModelResults(String model, String weights, List<String> notes, ErfResult erf,
      List<InvarianceResult> invariance, List<RobustnessResult> robustness, Map<String, Double> seconds) {
    public ModelResults {
      notes = List.copyOf(notes);
    }
  }

  private Report() {}

  /** The work units of the whole report, for one progress bar and its remaining-time estimate. */
  public static long units(List<Entry> entries, Spec spec) {
    long total = 0;
    for (Entry e : entries) {
      int n = e.images().size();
      total += spec.erf().units(n);
      total += spec.invariance().stream().mapToLong(s -> s.units(n)).sum();
      total += spec.robustness().stream().mapToLong(s -> s.units(n)).sum();
    }
    return total;
  }

  public static List<ModelResults> run(List<Entry> entries, Spec spec, Path output, Progress progress)
      throws IOException {
    Files.createDirectories(output);
    List<ModelResults> results = new ArrayList<>();
    List<String> sampled = new ArrayList<>(); // the description of the first sample
    List<String> labels = ModelLabels.of(entries.stream().map(Entry::model).toList());
    for (int e = 0; e < entries.size(); e++) {
      Entry entry = entries.get(e);
      String label = labels.get(e);
      Map<String, Double> seconds = new LinkedHashMap<>();
      long t0 = System.nanoTime();
      ErfResult erf;
      String weights;
      Set<String> notes = new LinkedHashSet<>();
      try (AnalysisModel model = AnalysisModel.open(entry.model().withImageSize(spec.erf().imageSize()))) {
        progress.status(model.name() + " erf");
        weights = model.description();
        notes.addAll(model.notes());
        erf = Erf.measure(model, entry.images(), spec.erf(), progress).withModel(label);
      }
      Path dir = output.resolve(label);
      erf.write(dir);
      seconds.put("erf", (System.nanoTime() - t0) / 1e9);
      List<InvarianceResult> invariance = new ArrayList<>();
      List<RobustnessResult> robustness = new ArrayList<>();
      try (AnalysisModel model = AnalysisModel.open(entry.model())) {
        notes.addAll(model.notes());
        for (Invariance.Spec s : spec.invariance()) {
          invariance.add(onSample(entry.images(), s.images(), s.seed(), sampled, s.type().flag(), seconds, images -> {
            InvarianceResult r = Invariance.measure(model, images, s, progress).withModel(label);
            r.write(dir);
            return r;
          }));
        }
        for (Robustness.Spec s : spec.robustness()) {
          robustness.add(onSample(entry.images(), s.images(), s.seed(), sampled, s.attack().flag(), seconds,
              images -> {
                RobustnessResult r = Robustness.measure(model, images, s, progress,
                    dir.resolve("examples-" + s.attack().flag())).withModel(label);
                r.write(dir);
                return r;
              }));
        }
      }
      results.add(new ModelResults(label, weights, List.copyOf(notes), erf, invariance, robustness, seconds));
    }
    overlay(results, ModelResults::invariance, all -> InvarianceResult.plot(output.resolve("invariance-"
        + all.get(0).type().flag() + ".png"), all));
    overlay(results, ModelResults::robustness, all -> RobustnessResult.plot(output.resolve("robustness-"
        + all.get(0).attack().flag() + ".png"), all));
    String markdown = ReportPage.markdown(results, spec, entries.get(0).images().description(),
        sampled.isEmpty() ? null : sampled.get(0));
    Files.writeString(output.resolve("report.md"), markdown);
    Files.writeString(output.resolve("report.html"), ReportPage.html(markdown, output));
    return results;
  }

  /** An analysis of an open model on a sample of its images, written into the model's folder. */
  @FunctionalInterface
  private interface OnSample<R> {
    R measure(AnalysisImages sample) throws IOException;
  }

  /**
   * {@code analysis} on the class-stratified sample of {@code n} images of {@code images} at {@code seed}, its
   * seconds (sampling included) recorded under {@code key}; the first sample's description goes into
   * {@code sampled}.
   */
  private static <R> R onSample(AnalysisImages images, int n, long seed, List<String> sampled, String key,
      Map<String, Double> seconds, OnSample<R> analysis) throws IOException {
    long t = System.nanoTime();
    AnalysisImages sample = AnalysisImages.stratifiedSample(images, n, seed);
    if (sampled.isEmpty()) {
      sampled.add(sample.description());
    }
    R result = analysis.measure(sample);
    seconds.put(key, (System.nanoTime() - t) / 1e9);
    return result;
  }

  /** A figure of several models' results of one analysis. */
  @FunctionalInterface
  private interface Figure<R> {
    void write(List<R> ofEachModel) throws IOException;
  }

  /** For each analysis of a kind (in the spec's order, as each model holds them), a figure of every model's. */
  private static <R> void overlay(List<ModelResults> results, Function<ModelResults, List<R>> kind, Figure<R> figure)
      throws IOException {
    for (int k = 0; k < kind.apply(results.get(0)).size(); k++) {
      int i = k;
      figure.write(results.stream().map(r -> kind.apply(r).get(i)).toList());
    }
  }
}
