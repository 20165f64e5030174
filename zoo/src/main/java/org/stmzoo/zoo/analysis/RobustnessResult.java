package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One model's accuracy under one attack, per eps.
 *
 * @param steps attack iterations per eps
 * @param stepSize how the step size was chosen ({@code eps} for FGSM, {@code eps/4} or a value for PGD)
 */
public record RobustnessResult(String model, Robustness.Attack attack, int images, int steps, String stepSize,
    boolean randomStart, List<Row> rows) {

  /** Accuracies in %, mean L-inf and L2 norms of the perturbation in [0, 1] pixel units. */
  public record Row(double eps, double cleanTop1, double cleanTop5, double adversarialTop1,
      double adversarialTop5, double meanLinf, double meanL2) {}

  /** The same measurement under another name (see {@link ModelLabels}). */
  public RobustnessResult withModel(String name) {
    return new RobustnessResult(name, attack, images, steps, stepSize, randomStart, rows);
  }

  /** {@code robustness-ATTACK.csv} and {@code robustness-ATTACK.png} (accuracy against eps). */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder(
        "eps,eps_255,clean_top1,clean_top5,adv_top1,adv_top5,mean_linf,mean_l2\n");
    for (Row r : rows) {
      csv.append(String.format(Locale.ROOT, "%.6f,%.3f,%.2f,%.2f,%.2f,%.2f,%.6f,%.6f%n", r.eps(), r.eps() * 255,
          r.cleanTop1(), r.cleanTop5(), r.adversarialTop1(), r.adversarialTop5(), r.meanLinf(), r.meanL2()));
    }
    Files.writeString(dir.resolve("robustness-" + attack.flag() + ".csv"), csv);
    plot(dir.resolve("robustness-" + attack.flag() + ".png"), List.of(this));
  }

  /** Adversarial top-1 against eps (x 255) for several models, their clean top-1 at eps 0. */
  public static void plot(Path png, List<RobustnessResult> results) throws IOException {
    List<Figures.Curve> curves = results.stream().map(r -> {
      double[] x = new double[r.rows().size() + 1];
      double[] y = new double[x.length];
      y[0] = r.rows().get(0).cleanTop1();
      for (int i = 0; i < r.rows().size(); i++) {
        x[i + 1] = r.rows().get(i).eps() * 255;
        y[i + 1] = r.rows().get(i).adversarialTop1();
      }
      return new Figures.Curve(r.model() + " " + r.attack().flag(), x, y);
    }).toList();
    Figures.curves(png, "eps (x 1/255)", List.of("top-1 under attack (%)"), List.of(curves));
  }

  public String summary() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s %s over %d images (%d step%s, step %s%s)%n",
        model, attack.flag(), images, steps, steps == 1 ? "" : "s", stepSize, randomStart ? ", random start" : ""));
    s.append(String.format(Locale.ROOT, "  %9s %9s %9s %9s %9s %9s%n", "eps*255", "clean@1", "adv@1", "adv@5",
        "L-inf", "L2"));
    for (Row r : rows) {
      s.append(String.format(Locale.ROOT, "  %9.2f %8.2f%% %8.2f%% %8.2f%% %9.5f %9.4f%n", r.eps() * 255,
          r.cleanTop1(), r.adversarialTop1(), r.adversarialTop5(), r.meanLinf(), r.meanL2()));
    }
    return s.toString();
  }
}
