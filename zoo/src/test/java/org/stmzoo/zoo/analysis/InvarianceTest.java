package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.datasets.pipeline.InvarianceViews;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.recipes.train.Evaluator;
import org.stmzoo.zoo.registry.ModelOptions;

class InvarianceTest {
  private static final int SIZE = 8;
  private static final int CLASSES = 4;
  private static final List<String> NAMES = List.of("a", "b", "c", "d");

  @Test
  void levelZeroIsTheReferenceViewAndThePlainEvaluation(@TempDir Path dir) throws Exception {
    TinyModels.LinearClassifier linear = TinyModels.linear(SIZE, CLASSES, 3);
    // 13x11 images: resized to 10x9 for size 8 at crop 0.875, where the shifted window at 0 and torchvision's
    // center crop coincide (rows 1..8, columns 0..7)
    List<LabeledImage> images = TinyModels.images(12, 13, 11, 3, 0f, 5);
    try (AnalysisModel model = AnalysisModel.randomInit(linear.entry(),
        new ModelOptions(CLASSES, 3, SIZE, null), 0)) {
      // label half of the images with the model's own prediction and half with another class: top-1 is 50 %
      float[] views = Invariance.stack(images, SIZE, 3, (img, i) -> InvarianceViews.reference(img, SIZE, 0.875f));
      float[][] logits = model.logits(views, images.size());
      int[] labels = new int[images.size()];
      for (int i = 0; i < labels.length; i++) {
        int predicted = Logits.argmax(logits[i]);
        labels[i] = i % 2 == 0 ? predicted : (predicted + 1) % CLASSES;
      }
      double meanEntropy = 0;
      for (float[] row : logits) {
        meanEntropy += Logits.softTargetCrossEntropy(row, row) / logits.length;
      }
      assertThat(meanEntropy).isPositive();
      ImageDataset data = TinyModels.dataset(TinyModels.relabel(images, labels), NAMES);
      EvalResult plain;
      try (BatchLoader loader = new BatchLoader(data, TransformConfig.eval(SIZE, 0.875f,
          linear.preprocessing().mean(), linear.preprocessing().std(), true), 5, false, false, 0, 1)) {
        plain = new Evaluator(model.built().images(), model.built().output().logits(), CLASSES)
            .evaluate(model.session(), loader, NAMES);
      }
      assertThat(plain.top1()).isEqualTo(50.0);
      for (Invariance.Type type : List.of(Invariance.Type.TRANSLATION, Invariance.Type.PRE_ROTATION,
          Invariance.Type.POST_ROTATION)) {
        InvarianceResult r = Invariance.measure(model, AnalysisImages.of(data, 100),
            new Invariance.Spec(type, 100, 5, 7, null), Progress.quiet());
        assertThat(r.images()).isEqualTo(12);
        assertThat(r.referenceTop1()).isEqualTo(plain.top1());
        assertThat(r.referenceTop5()).isEqualTo(plain.top5());
        InvarianceResult.Level zero = r.levels().get(0);
        assertThat(zero.level()).isZero();
        assertThat(zero.consistency()).as(type.flag()).isEqualTo(100.0);
        assertThat(zero.top1()).as(type.flag()).isEqualTo(plain.top1());
        // against itself the soft-target cross-entropy is the entropy of the reference's softmax
        assertThat(zero.loss()).as(type.flag()).isCloseTo(meanEntropy, within(1e-6));
        assertThat(r.levels()).hasSize(type.levels().length);
        r.write(dir);
        assertThat(Files.readAllLines(dir.resolve("invariance-" + type.flag() + ".csv")))
            .hasSize(type.levels().length + 1);
      }
    }
  }

  @Test
  void levelsAreTheReferenceScripts() {
    assertThat(Invariance.Type.TRANSLATION.levels()).hasSize(17).startsWith(0, 4).endsWith(64);
    assertThat(Invariance.Type.PRE_ROTATION.levels()).hasSize(19).startsWith(0, 5).endsWith(90);
    assertThat(Invariance.Type.SCALE.levels()).hasSize(15).startsWith(0.2, 0.325).endsWith(1.95);
  }

  @Test
  void translationDirectionsAreSeededPerImageAndLevel() {
    int[] counts = new int[7];
    for (int i = 0; i < 700; i++) {
      int d = Invariance.direction(0, i, 3);
      assertThat(d).isEqualTo(Invariance.direction(0, i, 3));
      counts[d]++;
    }
    assertThat(java.util.Arrays.stream(counts).min().orElseThrow()).isGreaterThan(50);
  }
}
