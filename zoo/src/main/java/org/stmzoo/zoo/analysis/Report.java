package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The three analyses for several models, laid side by side as STM-Evaluation's paper does: the ERF heat maps in one
 * row with their area ratios, the invariance curves of all models overlaid per type, a robustness table. The ERF
 * reads the images in order; invariance and robustness a class-stratified sample of them
 * ({@link AnalysisImages#stratifiedSample}, the same for every model and analysis at one seed, drawn once where
 * they read the same images: {@link StratifiedSamples}). Writes
 * each model's raw results into {@code output/LABEL/} ({@link ModelLabels}: the model's name, qualified where
 * two models share it), the overlays into {@code output/}, and {@code report.md}
 * with the same content as a self-contained {@code report.html} (figures inlined).
 */
public final class Report {
  /** One model with the images it is analysed on (a .npy batch is mapped back with each model's statistics). */
  public record Entry(AnalysisModel.Spec model, AnalysisImages images) {}

  /**
   * What to run for every model: one ERF, the invariance types, the attacks. The lists are copied; a null list or
   * element is refused as the spec is built, not once the first models have run.
   */
  public record Spec(Erf.Spec erf, List<Invariance.Spec> invariance, List<Robustness.Spec> robustness) {
    public Spec {
      Objects.requireNonNull(erf, "Report.Spec.erf");
      invariance = noNulls(invariance, "Report.Spec.invariance");
      robustness = noNulls(robustness, "Report.Spec.robustness");
    }

    private static <T> List<T> noNulls(List<T> list, String field) {
      Objects.requireNonNull(list, field);
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) == null) {
          throw new IllegalArgumentException(field + "[" + i + "] is null");
        }
      }
      return List.copyOf(list);
    }
  }

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
    StratifiedSamples samples = new StratifiedSamples();
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
          long t = System.nanoTime();
          AnalysisImages images = samples.of(entry.images(), s.images(), s.seed());
          InvarianceResult r = Invariance.measure(model, images, s, progress).withModel(label);
          r.write(dir);
          invariance.add(r);
          seconds.put(s.type().flag(), (System.nanoTime() - t) / 1e9);
        }
        for (Robustness.Spec s : spec.robustness()) {
          long t = System.nanoTime();
          AnalysisImages images = samples.of(entry.images(), s.images(), s.seed());
          RobustnessResult r = Robustness.measure(model, images, s, progress,
              dir.resolve("examples-" + s.attack().flag())).withModel(label);
          r.write(dir);
          robustness.add(r);
          seconds.put(s.attack().flag(), (System.nanoTime() - t) / 1e9);
        }
      }
      results.add(new ModelResults(label, weights, List.copyOf(notes), erf, invariance, robustness, seconds));
    }
    for (int i = 0; i < spec.invariance().size(); i++) {
      int k = i;
      InvarianceResult.plot(output.resolve("invariance-" + spec.invariance().get(i).type().flag() + ".png"),
          results.stream().map(r -> r.invariance().get(k)).toList());
    }
    for (int i = 0; i < spec.robustness().size(); i++) {
      int k = i;
      RobustnessResult.plot(output.resolve("robustness-" + spec.robustness().get(i).attack().flag() + ".png"),
          results.stream().map(r -> r.robustness().get(k)).toList());
    }
    String markdown = ReportPage.markdown(results, spec, entries.get(0).images().description(),
        samples.first().map(AnalysisImages::description).orElse(null));
    Files.writeString(output.resolve("report.md"), markdown);
    Files.writeString(output.resolve("report.html"), ReportPage.html(markdown, output));
    return results;
  }
}
