package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One model's invariance curves for one type of view.
 *
 * @param images images analysed; {@code unreadable} were skipped
 * @param cropPct the reference view's crop fraction
 * @param referenceTop1 top-1 (%) of the reference view (the plain evaluation); NaN without labels
 */
public record InvarianceResult(String model, Invariance.Type type, int images, int unreadable, double cropPct,
    double referenceTop1, double referenceTop5, List<Level> levels) {

  /** One level: accuracies (%, NaN without labels), consistency (%) and soft-target cross-entropy. */
  public record Level(double level, double top1, double top5, double consistency, double loss) {}

  /** The same measurement under another name (see {@link ModelLabels}). */
  public InvarianceResult withModel(String name) {
    return new InvarianceResult(name, type, images, unreadable, cropPct, referenceTop1, referenceTop5, levels);
  }

  /** {@code invariance-TYPE.csv} (one row per level) and {@code invariance-TYPE.png}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("level,top1,top5,consistency,loss\n");
    for (Level l : levels) {
      csv.append(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.6f%n", Invariance.level(l.level()), number(l.top1()),
          number(l.top5()), l.consistency(), l.loss()));
    }
    Files.writeString(dir.resolve("invariance-" + type.flag() + ".csv"), csv);
    plot(dir.resolve("invariance-" + type.flag() + ".png"), List.of(this));
  }

  /** The curves of several models for one type in one figure: top-1 (when labelled), consistency, loss. */
  public static void plot(Path png, List<InvarianceResult> results) throws IOException {
    Invariance.Type type = results.get(0).type();
    if (results.stream().anyMatch(r -> r.type() != type)) {
      throw new IllegalArgumentException("one figure overlays one type of view");
    }
    List<String> titles = new ArrayList<>();
    List<List<Figures.Curve>> charts = new ArrayList<>();
    if (results.stream().allMatch(r -> !Double.isNaN(r.referenceTop1()))) {
      titles.add("top-1 (%)");
      charts.add(curves(results, Level::top1));
    }
    titles.add("consistency (%)");
    charts.add(curves(results, Level::consistency));
    titles.add("soft-target cross-entropy");
    charts.add(curves(results, Level::loss));
    Figures.curves(png, type.flag() + ": " + type.axis(), titles, charts);
  }

  private static List<Figures.Curve> curves(List<InvarianceResult> results, ToDoubleFunction<Level> metric) {
    return results.stream().map(r -> new Figures.Curve(r.model(),
        r.levels().stream().mapToDouble(Level::level).toArray(),
        r.levels().stream().mapToDouble(metric).toArray())).toList();
  }

  public String summary() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%s %s over %d images (crop-pct %.3f); reference view top-1 %s%%%n", model, type.flag(), images, cropPct,
        number(referenceTop1)));
    s.append(String.format(Locale.ROOT, "  %8s %7s %7s %11s %8s%n", "level", "top-1", "top-5", "consistency",
        "loss"));
    for (Level l : levels) {
      s.append(String.format(Locale.ROOT, "  %8s %7s %7s %10.2f%% %8.4f%n", Invariance.level(l.level()),
          number(l.top1()), number(l.top5()), l.consistency(), l.loss()));
    }
    return s.toString();
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
  }
}
