package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.zoo.registry.ModelOptions;

class RobustnessTest {
  private static final int SIZE = 4;
  private static final int CLASSES = 3;

  @Test
  void fgsmOnALinearSoftmaxClassifierIsTheClosedForm() throws Exception {
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 11);
    List<LabeledImage> images = TinyModels.images(6, SIZE, SIZE, 3, 0f, 2);
    int[] labels = {0, 1, 2, 0, 1, 2};
    float[] x = Invariance.stack(images, SIZE, 3, (img, i) -> img);
    double eps = 8 / 255.0;
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(),
        new ModelOptions(CLASSES, 3, SIZE, null), 0)) {
      Robustness.Spec spec = new Robustness.Spec(Robustness.Attack.FGSM, new double[] {eps}, 1, null, false, 0,
          6, 6, 1f, 0);
      float[] adversarial = Robustness.perturb(Robustness.StepGraph.build(model), model, x, labels, eps, spec, 0,
          iterate -> {});
      float[] expected = closedForm(linear, x, labels, eps);
      assertThat(adversarial).hasSameSizeAs(expected);
      int changed = 0;
      for (int i = 0; i < expected.length; i++) {
        assertThat(adversarial[i]).as("value %d", i).isCloseTo(expected[i], within(1e-6f));
        changed += Math.abs(adversarial[i] - x[i]) > eps / 2 ? 1 : 0;
      }
      assertThat(changed).as("values moved by eps (the rest are clamped)").isGreaterThan(expected.length / 2);
    }
  }

  /**
   * FGSM in closed form: {@code clip(x + eps * sign(dL/dx), 0, 1)} with {@code L = CE(W^T z + b, y)},
   * {@code z = (x - mean) / std}: {@code dL/dx = (W (softmax - onehot)) / std}.
   */
  private static float[] closedForm(TinyModels.LinearClassifier m, float[] x, int[] labels, double eps) {
    return attack(m, x, labels, eps, eps, 1);
  }

  /** The logits of image {@code n} of {@code x}, in double from the classifier's weights. */
  private static double[] logits(TinyModels.LinearClassifier m, float[] x, int n) {
    int classes = m.b().length;
    int features = m.w().length;
    double[] logits = new double[classes];
    for (int c = 0; c < classes; c++) {
      logits[c] = m.b()[c];
      for (int f = 0; f < features; f++) {
        int ch = f % 3;
        double z = (x[n * features + f] - m.preprocessing().mean()[ch]) / m.preprocessing().std()[ch];
        logits[c] += m.w()[f][c] * z;
      }
    }
    return logits;
  }

  /**
   * {@code steps} steps {@code x <- clip(clip(x + alpha * sign(dL/dx), x0 - eps, x0 + eps), 0, 1)} from the clean
   * image, the gradient in closed form (above), in double.
   */
  private static float[] attack(TinyModels.LinearClassifier m, float[] x0, int[] labels, double eps, double alpha,
      int steps) {
    int classes = m.b().length;
    int features = m.w().length;
    float[] x = x0.clone();
    for (int step = 0; step < steps; step++) {
      float[] next = new float[x.length];
      for (int n = 0; n < labels.length; n++) {
        double[] logits = logits(m, x, n);
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        double[] p = new double[classes];
        for (int c = 0; c < classes; c++) {
          p[c] = Math.exp(logits[c] - max);
          sum += p[c];
        }
        for (int f = 0; f < features; f++) {
          double g = 0;
          for (int c = 0; c < classes; c++) {
            g += m.w()[f][c] * (p[c] / sum - (c == labels[n] ? 1 : 0));
          }
          g /= m.preprocessing().std()[f % 3];
          int i = n * features + f;
          double v = Math.max(x0[i] - eps, Math.min(x0[i] + eps, x[i] + alpha * Math.signum(g)));
          next[i] = (float) Math.max(0, Math.min(1, v));
        }
      }
      x = next;
    }
    return x;
  }

  /** The classes scoring above {@code label} (ties: a lower index first, as topk). */
  private static int rank(double[] logits, int label) {
    int rank = 0;
    for (int c = 0; c < logits.length; c++) {
      rank += logits[c] > logits[label] || (logits[c] == logits[label] && c < label) ? 1 : 0;
    }
    return rank;
  }

  /** Top-1 and top-5 (%) of the classifier on {@code x}, computed here. */
  private static double[] accuracy(TinyModels.LinearClassifier m, float[] x, int[] labels) {
    int top1 = 0;
    int top5 = 0;
    for (int n = 0; n < labels.length; n++) {
      int rank = rank(logits(m, x, n), labels[n]);
      top1 += rank < 1 ? 1 : 0;
      top5 += rank < 5 ? 1 : 0;
    }
    return new double[] {100.0 * top1 / labels.length, 100.0 * top5 / labels.length};
  }

  @Test
  void pgdIteratesStayInTheBallAndTheUnitRange() throws Exception {
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 12);
    List<LabeledImage> images = TinyModels.images(5, SIZE, SIZE, 3, 0f, 3);
    float[] x = Invariance.stack(images, SIZE, 3, (img, i) -> img);
    int[] labels = {0, 1, 2, 1, 0};
    double eps = 6 / 255.0;
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(),
        new ModelOptions(CLASSES, 3, SIZE, null), 0)) {
      Robustness.Spec spec = new Robustness.Spec(Robustness.Attack.PGD, new double[] {eps}, 7, 3 / 255.0, true,
          9, 5, 5, 1f, 0);
      List<float[]> iterates = new ArrayList<>();
      float[] last = Robustness.perturb(Robustness.StepGraph.build(model), model, x, labels, eps, spec, 0,
          iterates::add);
      assertThat(iterates).hasSize(7).last().isSameAs(last);
      double furthest = 0;
      for (float[] it : iterates) {
        for (int i = 0; i < it.length; i++) {
          assertThat(it[i]).isBetween(0f, 1f);
          assertThat((double) Math.abs(it[i] - x[i])).isLessThanOrEqualTo(eps + 1e-6);
          furthest = Math.max(furthest, Math.abs(it[i] - x[i]));
        }
      }
      assertThat(furthest).isCloseTo(eps, within(1e-6));
    }
  }

  /**
   * PGD's random start is drawn per image and eps: the same bits whatever the batch size and whether another eps is
   * measured too (one step much smaller than eps, so that the start decides where the attack ends).
   */
  @Test
  void aRandomStartDependsOnNeitherTheBatchSizeNorTheOtherEps() throws Exception {
    int classes = 7;
    int n = 20;
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, classes, 13);
    List<LabeledImage> images = TinyModels.images(n, SIZE, SIZE, 3, 0f, 4);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % classes;
    }
    AnalysisImages data = AnalysisImages.of(TinyModels.dataset(TinyModels.relabel(images, labels),
        List.of("a", "b", "c", "d", "e", "f", "g")));
    double eps = 8 / 255.0;
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(), new ModelOptions(classes, 3, SIZE, null),
        0)) {
      RobustnessResult.Row expected = null;
      for (int batch : new int[] {20, 1, 7}) {
        for (double[] list : new double[][] {{eps}, {1 / 255.0, eps}}) {
          RobustnessResult r = Robustness.measure(model, data, new Robustness.Spec(Robustness.Attack.PGD, list, 1,
              0.1 / 255, true, 42, n, batch, 1f, 0), Progress.quiet(), null);
          RobustnessResult.Row row = r.rows().get(r.rows().size() - 1);
          assertThat(row.eps()).isEqualTo(eps);
          if (expected == null) {
            expected = row;
            // the start is a draw in the ball, not the clean image: L2 well above one step's
            assertThat(row.meanL2()).isGreaterThan(10 * 0.1 / 255 * Math.sqrt(SIZE * SIZE * 3));
          }
          assertThat(row).as("batch %d, %d eps", batch, list.length).isEqualTo(expected);
        }
      }
    }
  }

  /** The eps come in increasing order without repeats, so the rows, the plot and the report columns do too. */
  @Test
  void theEpsAreSortedAndDeduplicated() throws Exception {
    Robustness.Spec spec = new Robustness.Spec(Robustness.Attack.FGSM, new double[] {8 / 255.0, -0.0, 1 / 255.0,
        8 / 255.0, 0}, 1, null, false, 0, 4, 4, 1f, 0);
    assertThat(spec.eps()).containsExactly(0, 1 / 255.0, 8 / 255.0);
    assertThat(Double.doubleToRawLongBits(spec.eps()[0])).as("-0.0 is 0").isZero();
    for (double bad : new double[] {-1 / 255.0, Double.NaN, Double.POSITIVE_INFINITY, 1.5}) {
      assertThatThrownBy(() -> new Robustness.Spec(Robustness.Attack.FGSM, new double[] {bad}, 1, null, false, 0, 4,
          4, 1f, 0)).as("eps %s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("eps must be in [0, 1] (pixel units), got " + bad);
    }
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 11);
    List<LabeledImage> images = TinyModels.images(4, SIZE, SIZE, 3, 0f, 2);
    AnalysisImages data = AnalysisImages.of(TinyModels.dataset(TinyModels.relabel(images, new int[] {0, 1, 2, 0}),
        List.of("a", "b", "c")));
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(), new ModelOptions(CLASSES, 3, SIZE, null),
        0)) {
      RobustnessResult r = Robustness.measure(model, data, new Robustness.Spec(Robustness.Attack.FGSM,
          new double[] {4 / 255.0, 2 / 255.0, 4 / 255.0}, 1, null, false, 0, 4, 4, 1f, 0), Progress.quiet(), null);
      assertThat(r.rows()).extracting(RobustnessResult.Row::eps).containsExactly(2 / 255.0, 4 / 255.0);
      // the largest eps, where the examples are taken, is the last row
      assertThat(r.rows().get(1).meanLinf()).isGreaterThan(r.rows().get(0).meanLinf());
    }
  }

  /** A label beyond the model's outputs (under as many class names as outputs) is refused by both analyses. */
  @Test
  void aLabelBeyondTheClassesIsRefused() throws Exception {
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 11);
    AnalysisImages data = AnalysisImages.of(TinyModels.dataset(TinyModels.relabel(TinyModels.images(3, SIZE, SIZE,
        3, 0f, 2), new int[] {0, 1, 5}), List.of("a", "b", "c")));
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(), new ModelOptions(CLASSES, 3, SIZE, null),
        0)) {
      assertThatThrownBy(() -> Robustness.measure(model, data, new Robustness.Spec(Robustness.Attack.FGSM,
          new double[] {1 / 255.0}, 1, null, false, 0, 3, 3, 1f, 0), Progress.quiet(), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("label 5 is beyond the model's 3 classes");
      assertThatThrownBy(() -> Invariance.measure(model, data, new Invariance.Spec(Invariance.Type.SCALE, 3, 3, 0,
          1f), Progress.quiet())).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("label 5 is beyond the model's 3 classes");
    }
  }

  @Test
  void accuraciesAreThoseOfAnIndependentAttackOnPartlyMislabelledImages(@TempDir Path dir) throws Exception {
    // 7 classes, so that top-5 can miss; labels that the classifier gets right, ranks second or ranks last, so
    // that clean top-1 and top-5 are neither 0 nor 100 % and the attacked figures can be checked, not just bounded
    int classes = 7;
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, classes, 13);
    List<LabeledImage> images = TinyModels.images(20, SIZE, SIZE, 3, 0f, 4);
    float[] x = Invariance.stack(images, SIZE, 3, (img, i) -> img);
    int[] labels = new int[images.size()];
    for (int n = 0; n < labels.length; n++) {
      double[] z = logits(linear, x, n);
      Integer[] byScore = java.util.stream.IntStream.range(0, classes).boxed()
          .sorted((a, b) -> Double.compare(z[b], z[a])).toArray(Integer[]::new);
      labels[n] = byScore[n % 4 == 1 ? classes - 1 : n % 4 == 3 ? 1 : 0];
    }
    double[] clean = accuracy(linear, x, labels);
    assertThat(clean).containsExactly(50.0, 75.0);
    double[] eps = {0, 1 / 255.0, 4 / 255.0, 64 / 255.0};
    List<String> names = List.of("a", "b", "c", "d", "e", "f", "g");
    AnalysisImages data = AnalysisImages.of(TinyModels.dataset(TinyModels.relabel(images, labels), names));
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(), new ModelOptions(classes, 3, SIZE, null),
        0)) {
      for (Robustness.Attack attack : Robustness.Attack.values()) {
        RobustnessResult r = Robustness.measure(model, data, new Robustness.Spec(attack, eps, 5, null, false, 1,
            100, 8, 1f, 2), Progress.quiet(), dir.resolve(attack.flag()));
        assertThat(r.images()).isEqualTo(20);
        for (int e = 0; e < eps.length; e++) {
          RobustnessResult.Row row = r.rows().get(e);
          // FGSM: one step of eps; PGD: 5 steps of eps / 4 from the clean image
          double[] expected = accuracy(linear, attack == Robustness.Attack.FGSM ? closedForm(linear, x, labels,
              eps[e]) : attack(linear, x, labels, eps[e], eps[e] / 4, 5), labels);
          assertThat(row.cleanTop1()).isEqualTo(clean[0]);
          assertThat(row.cleanTop5()).isEqualTo(clean[1]);
          assertThat(row.adversarialTop1()).as("%s eps %d: top-1", attack.flag(), e).isEqualTo(expected[0]);
          assertThat(row.adversarialTop5()).as("%s eps %d: top-5", attack.flag(), e).isEqualTo(expected[1]);
          assertThat(row.meanLinf()).isLessThanOrEqualTo(eps[e] + 1e-6);
        }
        assertThat(r.rows().get(0).adversarialTop1()).as("eps 0 changes nothing").isEqualTo(clean[0]);
        assertThat(r.rows().get(0).meanLinf()).isZero();
        // and it does cost accuracy: at 64/255 images classified right are lost
        assertThat(r.rows().get(3).adversarialTop1()).as(attack.flag() + " at 64/255").isLessThan(clean[0]);
        assertThat(r.rows().get(3).adversarialTop5()).as(attack.flag() + " at 64/255").isLessThan(clean[1]);
        r.write(dir);
        assertThat(dir.resolve(attack.flag()).resolve("example-001.png")).isNotEmptyFile();
      }
    }
  }
}
