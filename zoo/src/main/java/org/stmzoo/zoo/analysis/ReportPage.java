package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/** The report as Markdown (figures linked relative to the report) and as one self-contained HTML page. */
final class ReportPage {
  private static final Pattern IMAGE_SRC = Pattern.compile("src=\"([^\"]+\\.png)\"");

  private ReportPage() {}

  /**
   * @param data the images the ERF reads in order
   * @param sampled the sample invariance and robustness read; null when neither ran
   */
  static String markdown(List<Report.ModelResults> results, Report.Spec spec, String data, String sampled) {
    StringBuilder md = new StringBuilder("# STM analyses\n\n");
    md.append("Models: ").append(String.join(", ", results.stream().map(r -> "`" + r.model() + "`").toList()))
        .append(". Weights:\n\n");
    for (Report.ModelResults r : results) {
      md.append("- `").append(r.model()).append("`: ").append(r.weights()).append('\n');
      r.notes().forEach(note -> md.append("  - note: ").append(note).append('\n'));
    }
    // a model may have skipped maps that were not finite where another did not, and so have averaged fewer
    String averaged = results.stream().map(r -> r.erf().images()).distinct().count() == 1
        ? "the first " + results.get(0).erf().images() + " readable images with a finite map of " + data
        : "each model's first readable images with a finite map of " + data + " (" + String.join(", ",
            results.stream().map(r -> "`" + r.model() + "`: " + r.erf().images()).toList()) + ")";
    md.append(String.format(Locale.ROOT, "%nImages: the ERF averages %s, resized to %dx%d", averaged,
        spec.erf().imageSize(), spec.erf().imageSize()));
    if (sampled != null) {
      md.append("; invariance and robustness: ").append(sampled);
    }
    md.append(".\n\n");

    md.append("## Effective receptive field\n\n");
    List<Integer> stages = results.stream().map(r -> r.erf().stage()).distinct().toList();
    String stage = stages.size() > 1 ? "each model's last stage (its column names it)"
        : "stage " + stages.get(0) + (spec.erf().stage() == null ? " (the last)" : "");
    md.append("Contribution of each input pixel (RepLKNet's method) to the central position of ").append(stage)
        .append(": log10(map + 1) scaled to its maximum; yellow = 0, dark green = 1. Area ratio: the share of the "
            + "image covered by the smallest centred square holding more than t of the total.\n\n");
    md.append('|');
    results.forEach(r -> md.append(" `").append(r.model()).append('`')
        .append(stages.size() > 1 ? " (stage " + r.erf().stage() + ")" : "").append(" |"));
    md.append("\n|");
    results.forEach(r -> md.append(" :---: |"));
    md.append("\n|");
    results.forEach(r -> md.append(" ![").append(r.model()).append(" ERF](").append(r.model()).append("/erf.png) |"));
    md.append('\n');
    for (double t : ErfResult.THRESHOLDS) {
      md.append('|');
      results.forEach(r -> {
        double ratio = r.erf().ratio(t);
        md.append(String.format(Locale.ROOT, " t=%.2f: %s |", t, r.erf().degenerate() ? "degenerate (all-zero map)"
            : Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.4f", ratio)));
      });
      md.append('\n');
    }

    if (!spec.invariance().isEmpty()) {
      md.append("\n## Invariance\n\n");
      md.append("Per level: top-1, consistency (the share of images whose prediction equals that of their reference "
          + "view) and the soft-target cross-entropy against the reference view's softmax (STM-Evaluation's "
          + "definitions).\n\n");
      for (Invariance.Spec s : spec.invariance()) {
        String flag = s.type().flag();
        md.append("### ").append(flag).append("\n\n![").append(flag).append("](invariance-").append(flag)
            .append(".png)\n\n");
        List<InvarianceResult> invs = results.stream().map(r -> r.invariance().stream()
            .filter(i -> i.type() == s.type()).findFirst().orElseThrow()).toList();
        // models evaluated at other crops see other reference views: their curves are not of the same views
        boolean crops = invs.stream().map(InvarianceResult::cropPct).distinct().count() > 1;
        if (crops) {
          md.append("The models' reference views are cropped differently (each model's crop below).\n\n");
        }
        md.append("| model |").append(crops ? " crop |" : "")
            .append(" reference top-1 | mean consistency | lowest consistency (level) |\n");
        md.append("| --- |").append(crops ? " ---: |" : "").append(" ---: | ---: | ---: |\n");
        for (int m = 0; m < results.size(); m++) {
          Report.ModelResults r = results.get(m);
          InvarianceResult inv = invs.get(m);
          InvarianceResult.Level low = inv.levels().stream()
              .min(java.util.Comparator.comparingDouble(InvarianceResult.Level::consistency)).orElseThrow();
          double mean = inv.levels().stream().mapToDouble(InvarianceResult.Level::consistency).average().orElse(0);
          md.append(String.format(Locale.ROOT, "| `%s` |%s %s | %.2f %% | %.2f %% (%s) |%n", r.model(),
              crops ? " " + crop(inv.cropPct()) + " |" : "", Double.isNaN(inv.referenceTop1()) ? "n/a"
                  : String.format(Locale.ROOT, "%.2f %%", inv.referenceTop1()),
              mean, low.consistency(), Invariance.level(low.level())));
        }
        md.append('\n');
      }
    }

    if (!spec.robustness().isEmpty()) {
      md.append("## Adversarial robustness\n\n");
      md.append("Top-1 (%) under L-inf attacks in pixel space ([0, 1], clamped), on the same images.\n\n");
      for (Robustness.Spec s : spec.robustness()) {
        String flag = s.attack().flag();
        RobustnessResult first = results.get(0).robustness().stream().filter(x -> x.attack() == s.attack())
            .findFirst().orElseThrow();
        md.append("### ").append(flag).append(String.format(Locale.ROOT, " (%d step%s, step %s%s)%n%n", first.steps(),
            first.steps() == 1 ? "" : "s", first.stepSize(), first.randomStart() ? ", random start" : ""));
        md.append("| model | clean |");
        first.rows().forEach(row -> md.append(String.format(Locale.ROOT, " eps %s/255 |", Invariance.level(
            Math.round(row.eps() * 255 * 1000) / 1000.0))));
        md.append("\n| --- | ---: |");
        first.rows().forEach(row -> md.append(" ---: |"));
        md.append('\n');
        for (Report.ModelResults r : results) {
          RobustnessResult rob = r.robustness().stream().filter(x -> x.attack() == s.attack()).findFirst()
              .orElseThrow();
          md.append(String.format(Locale.ROOT, "| `%s` | %.2f |", r.model(), rob.rows().get(0).cleanTop1()));
          rob.rows().forEach(row -> md.append(String.format(Locale.ROOT, " %.2f |", row.adversarialTop1())));
          md.append('\n');
        }
        md.append("\n![").append(flag).append("](robustness-").append(flag).append(".png)\n\n");
      }
    }

    md.append("## Time per analysis (seconds)\n\n| model |");
    List<String> keys = List.copyOf(results.get(0).seconds().keySet());
    keys.forEach(k -> md.append(' ').append(k).append(" |"));
    md.append("\n| --- |");
    keys.forEach(k -> md.append(" ---: |"));
    md.append('\n');
    for (Report.ModelResults r : results) {
      md.append("| `").append(r.model()).append("` |");
      keys.forEach(k -> md.append(String.format(Locale.ROOT, " %.1f |", r.seconds().getOrDefault(k, Double.NaN))));
      md.append('\n');
    }
    return md.toString();
  }

  /** A crop fraction as given: 0.875, 0.95, 1. */
  private static String crop(double fraction) {
    return new BigDecimal(String.format(Locale.ROOT, "%.3f", fraction)).stripTrailingZeros().toPlainString();
  }

  /** The Markdown rendered to HTML with every PNG it links inlined as a data URI. */
  static String html(String markdown, Path folder) throws IOException {
    var extensions = List.of(TablesExtension.create());
    String body = HtmlRenderer.builder().extensions(extensions).build()
        .render(Parser.builder().extensions(extensions).build().parse(markdown));
    Matcher m = IMAGE_SRC.matcher(body);
    StringBuilder inlined = new StringBuilder();
    while (m.find()) {
      Path png = folder.resolve(m.group(1));
      String src = Files.isRegularFile(png)
          ? "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) : m.group(1);
      m.appendReplacement(inlined, Matcher.quoteReplacement("src=\"" + src + "\""));
    }
    m.appendTail(inlined);
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>STM analyses</title><style>"
        + "body{font-family:sans-serif;max-width:1400px;margin:2em auto}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:4px 8px}img{max-width:100%}</style></head><body>\n"
        + inlined + "</body></html>\n";
  }
}
