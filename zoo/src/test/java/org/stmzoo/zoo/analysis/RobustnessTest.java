package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.pipeline.InvarianceViews;
import org.stmzoo.zoo.registry.ModelOptions;

class RobustnessTest {
  private static final int SIZE = 4;
  private static final int CLASSES = 3;
  private static final List<String> NAMES = List.of("a", "b", "c");

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
      float[] adversarial = Robustness.perturb(Robustness.StepGraph.build(model), model, x, labels, eps, spec,
          new SplittableRandom(0), iterate -> {});
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
   * {@code clip(x + eps * sign(dL/dx), 0, 1)} with {@code L = CE(W^T z + b, y)}, {@code z = (x - mean) / std}:
   * {@code dL/dx = (W (softmax - onehot)) / std}.
   */
  private static float[] closedForm(TinyModels.LinearClassifier m, float[] x, int[] labels, double eps) {
    int features = SIZE * SIZE * 3;
    float[] out = new float[x.length];
    for (int n = 0; n < labels.length; n++) {
      double[] logits = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        logits[c] = m.b()[c];
        for (int f = 0; f < features; f++) {
          int ch = f % 3;
          double z = (x[n * features + f] - m.preprocessing().mean()[ch]) / m.preprocessing().std()[ch];
          logits[c] += m.w()[f][c] * z;
        }
      }
      double max = Math.max(logits[0], Math.max(logits[1], logits[2]));
      double sum = 0;
      double[] p = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        p[c] = Math.exp(logits[c] - max);
        sum += p[c];
      }
      for (int f = 0; f < features; f++) {
        double g = 0;
        for (int c = 0; c < CLASSES; c++) {
          g += m.w()[f][c] * (p[c] / sum - (c == labels[n] ? 1 : 0));
        }
        g /= m.preprocessing().std()[f % 3];
        double v = x[n * features + f] + eps * Math.signum(g);
        out[n * features + f] = (float) Math.max(0, Math.min(1, v));
      }
    }
    return out;
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
      float[] last = Robustness.perturb(Robustness.StepGraph.build(model), model, x, labels, eps, spec,
          new SplittableRandom(9), iterates::add);
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

  @Test
  void adversarialAccuracyNeverExceedsClean(@TempDir Path dir) throws Exception {
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 13);
    List<LabeledImage> images = TinyModels.images(20, SIZE, SIZE, 3, 0f, 4);
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(),
        new ModelOptions(CLASSES, 3, SIZE, null), 0)) {
      // labels = the model's predictions, so clean top-1 is 100 % and every eps has something to lose
      float[][] logits = model.logits(Invariance.stack(images, SIZE, 3,
          (img, i) -> InvarianceViews.reference(img, SIZE, 1f)), images.size());
      int[] labels = new int[images.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = Logits.argmax(logits[i]);
      }
      AnalysisImages data = AnalysisImages.of(TinyModels.dataset(TinyModels.relabel(images, labels), NAMES), 100);
      for (Robustness.Attack attack : Robustness.Attack.values()) {
        RobustnessResult r = Robustness.measure(model, data, new Robustness.Spec(attack,
            new double[] {0, 1 / 255.0, 4 / 255.0, 64 / 255.0}, 5, null, true, 1, 100, 8, 1f, 2), Progress.quiet(),
            dir.resolve(attack.flag()));
        assertThat(r.images()).isEqualTo(20);
        assertThat(r.rows().get(0).cleanTop1()).isEqualTo(100.0);
        assertThat(r.rows().get(0).adversarialTop1()).as("eps 0 changes nothing").isEqualTo(100.0);
        assertThat(r.rows().get(0).meanLinf()).isZero();
        for (RobustnessResult.Row row : r.rows()) {
          assertThat(row.adversarialTop1()).isLessThanOrEqualTo(row.cleanTop1());
          assertThat(row.adversarialTop5()).isLessThanOrEqualTo(row.cleanTop5());
          assertThat(row.meanLinf()).isLessThanOrEqualTo(row.eps() + 1e-6);
        }
        assertThat(r.rows().get(3).adversarialTop1()).as(attack.flag() + " at 64/255").isLessThan(100.0);
        r.write(dir);
        assertThat(dir.resolve(attack.flag()).resolve("example-001.png")).isNotEmptyFile();
      }
    }
  }
}
