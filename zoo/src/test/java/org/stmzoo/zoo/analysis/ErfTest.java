package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

class ErfTest {
  private static final int SIZE = 32;

  @Test
  void supportIsTheTheoreticalReceptiveFieldAndSymmetric(@TempDir Path dir) throws Exception {
    ModelOptions options = new ModelOptions(2, 1, SIZE, null);
    AnalysisImages images = AnalysisImages.of(TinyModels.dataset(TinyModels.images(3, 40, 36, 1, 0.1f, 1),
        java.util.List.of("a", "b")), 10);
    try (AnalysisModel model = AnalysisModel.randomInit(TinyModels.positiveConvNet(), options, 0)) {
      ErfResult erf = Erf.measure(model, images, new Erf.Spec(3, SIZE, null, 2), Progress.quiet());
      assertThat(erf.images()).isEqualTo(3);
      assertThat(erf.skipped()).isZero();
      // The centre of the 16x16 output is (8, 8); through conv s1, conv s2 (TF SAME pads 0 before, 1 after),
      // conv s1 it sees input rows and columns 13..21: a 9x9 square centred on (17, 17).
      float[] map = erf.map();
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          boolean inside = y >= 13 && y <= 21 && x >= 13 && x <= 21;
          float v = map[y * SIZE + x];
          if (inside) {
            assertThat(v).as("(%d, %d)", y, x).isPositive();
            float scale = Math.abs(v) * 1e-5f;
            assertThat(map[(34 - y) * SIZE + x]).isCloseTo(v, within(scale));
            assertThat(map[y * SIZE + (34 - x)]).isCloseTo(v, within(scale));
            assertThat(map[x * SIZE + y]).isCloseTo(v, within(scale));
          } else {
            assertThat(v).as("(%d, %d)", y, x).isZero();
          }
        }
      }
      erf.write(dir);
      RawTensor saved = NpyFile.read(dir.resolve("erf.npy"));
      assertThat(saved.shape()).containsExactly(SIZE, SIZE);
      assertThat(saved.values()).containsExactly(map);
      assertThat(Files.readAllLines(dir.resolve("erf.csv"))).hasSize(5).first().isEqualTo("threshold,side,area_ratio");
      assertThat(dir.resolve("erf.png")).isNotEmptyFile();
    }
  }

  @Test
  void theMapIsTheHandComputedGradientAveragedOverTheImages() throws Exception {
    // One linear 3x3 convolution with kernels K0, K1 (TinyModels.LINEAR_KERNELS); at 8x8 the central output is
    // (4, 4), fed by inputs 3..5. score = ReLU(f0) + ReLU(f1), so d score / d input = sum over the active channels
    // of their kernel, and the map is its ReLU.
    // Image A, all 0.5: f0 = 0.5 * sum(K0) = 2.5, f1 = 0.5 * sum(K1) = 1: both active, map = ReLU(K0 + K1).
    // Image B, 0.1 with 1 at input (3, 5) (dy 0, dx 2: K0 0, K1 -3): f0 = 0.1 * 5 = 0.5 > 0,
    // f1 = 0.1 * (2 + 3) - 3 = -2.5 < 0: only K0, map = ReLU(K0).
    float[][] mapA = {{3, 0, 0}, {2, 2, 1}, {1, 1, 1}};
    float[][] mapB = {{1, 0, 0}, {3, 1, 0}, {0, 2, 1}};
    float[] a = new float[64];
    java.util.Arrays.fill(a, 0.5f);
    float[] b = new float[64];
    java.util.Arrays.fill(b, 0.1f);
    b[3 * 8 + 5] = 1f;
    AnalysisImages images = AnalysisImages.of(TinyModels.dataset(List.of(new LabeledImage(a, 8, 8, 1, 0),
        new LabeledImage(b, 8, 8, 1, 0)), List.of("a")));
    try (AnalysisModel model = AnalysisModel.randomInit(TinyModels.linearConvNet(), new ModelOptions(2, 1, 8, null),
        0)) {
      for (int batch : new int[] {1, 2}) {
        ErfResult erf = Erf.measure(model, images, new Erf.Spec(2, 8, null, batch), Progress.quiet());
        assertThat(erf.images()).isEqualTo(2);
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            boolean inside = y >= 3 && y <= 5 && x >= 3 && x <= 5;
            float expected = inside ? (mapA[y - 3][x - 3] + mapB[y - 3][x - 3]) / 2 : 0f;
            assertThat(erf.map()[y * 8 + x]).as("batch %d (%d, %d)", batch, y, x).isCloseTo(expected,
                within(1e-6f));
          }
        }
      }
    }
  }

  @Test
  void anUnreadableImageIsReplacedByTheNext() throws Exception {
    List<LabeledImage> images = TinyModels.images(4, 40, 36, 1, 0.1f, 2);
    ImageDataset secondUnreadable = new ImageDataset() {
      @Override
      public int size() {
        return images.size();
      }

      @Override
      public List<String> classNames() {
        return List.of("a");
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        if (index == 1) {
          throw new IOException("image 1 is corrupt");
        }
        return images.get(index);
      }

      @Override
      public String description() {
        return "4 images, the second unreadable";
      }
    };
    ModelOptions options = new ModelOptions(2, 1, SIZE, null);
    try (AnalysisModel model = AnalysisModel.randomInit(TinyModels.positiveConvNet(), options, 0)) {
      ErfResult erf = Erf.measure(model, AnalysisImages.of(secondUnreadable), new Erf.Spec(2, SIZE, null, 2),
          Progress.quiet());
      assertThat(erf.images()).isEqualTo(2);
      assertThat(erf.skipped()).isEqualTo(1);
      // images 0 and 2: the same maps as a source that holds only those
      ErfResult expected = Erf.measure(model, AnalysisImages.of(TinyModels.dataset(
          List.of(images.get(0), images.get(2)), List.of("a"))), new Erf.Spec(2, SIZE, null, 1), Progress.quiet());
      for (int i = 0; i < erf.map().length; i++) {
        assertThat(erf.map()[i]).isCloseTo(expected.map()[i], within(Math.abs(expected.map()[i]) * 1e-6f));
      }
      // more images asked for than there are good ones: all 3 good ones, no failure
      assertThat(Erf.measure(model, AnalysisImages.of(secondUnreadable), new Erf.Spec(10, SIZE, null, 2),
          Progress.quiet()).images()).isEqualTo(3);
    }
  }

  @Test
  void deitsMapIsItsPatchTokensAndAttentionReachesEveryPatch() throws Exception {
    // DeiT's one stage is its patch tokens after the last block as a grid (64 px: 4x4 patches of 16 px). Its
    // central token (2, 2) attends over every token, so every input patch, corners included, contributes;
    // a convolution stack's central feature would leave the corners at zero.
    int size = 64;
    ModelOptions options = new ModelOptions(10, 3, size, null);
    AnalysisImages images = AnalysisImages.of(TinyModels.dataset(TinyModels.images(2, 70, 70, 3, 0.1f, 5),
        java.util.List.of("a", "b")), 10);
    try (AnalysisModel model = AnalysisModel.randomInit(
        org.stmzoo.zoo.registry.ModelRegistry.get("deit-tiny"), options, 0)) {
      assertThat(model.stages()).isEqualTo(1);
      assertThat(model.stageFeature(0).orElseThrow().shape().asArray()).containsExactly(-1, 4, 4, 192);
      ErfResult erf = Erf.measure(model, images, new Erf.Spec(2, size, null, 2), Progress.quiet());
      assertThat(erf.skipped()).isZero();
      float[] map = erf.map();
      for (int py = 0; py < 4; py++) {
        for (int px = 0; px < 4; px++) {
          double patch = 0;
          for (int y = py * 16; y < py * 16 + 16; y++) {
            for (int x = px * 16; x < px * 16 + 16; x++) {
              patch += map[y * size + x];
            }
          }
          assertThat(patch).as("patch (%d, %d)", py, px).isPositive();
        }
      }
    }
  }

  @Test
  void areasAreTheSmallestCentredSquaresOverTheThreshold() {
    // an 11x11 map, 1 on the central 3x3 square, 0 elsewhere; scaled to log10(2)/log10(2) = 1 there
    int size = 11;
    float[] map = new float[size * size];
    for (int y = 4; y <= 6; y++) {
      for (int x = 4; x <= 6; x++) {
        map[y * size + x] = 1f;
      }
    }
    ErfResult r = ErfResult.of("m", 0, map, size, 1, 0);
    // i = 1 (side 3) holds all of it: more than every threshold
    assertThat(r.areas()).allSatisfy(a -> {
      assertThat(a.side()).isEqualTo(3);
      assertThat(a.ratio()).isCloseTo(9.0 / 121, within(1e-12));
    });
    // a single central pixel: side 3 holds 100 %; an off-centre mass needs a larger square
    float[] corner = new float[size * size];
    corner[5 * size + 5] = 1f;
    corner[1 * size + 9] = 3f;
    ErfResult c = ErfResult.of("m", 0, corner, size, 1, 0);
    double centre = Math.log10(2) / Math.log10(4);
    double share = centre / (centre + 1);
    assertThat(c.areas().get(0).side()).isEqualTo(share > 0.2 ? 3 : 9);
    assertThat(c.areas().get(3).side()).isEqualTo(9); // 99 %: must reach (1, 9): i = 4
  }

  @Test
  void anAllZeroMapIsDegenerateNotWide() {
    ErfResult zero = ErfResult.of("m", 2, new float[11 * 11], 11, 3, 0);
    assertThat(zero.degenerate()).isTrue();
    assertThat(zero.areas()).allSatisfy(a -> assertThat(a.side()).isZero());
    assertThat(zero.summary()).contains("degenerate: the map is all zeros").doesNotContain("no square");
    // a map that reaches the border is not degenerate: t = 0.99 is not reached below the full map
    float[] border = new float[11 * 11];
    java.util.Arrays.fill(border, 1f);
    ErfResult wide = ErfResult.of("m", 2, border, 11, 3, 0);
    assertThat(wide.degenerate()).isFalse();
    assertThat(wide.summary()).contains("t=0.99: no square below the full map holds it").doesNotContain("degenerate");
  }
}
