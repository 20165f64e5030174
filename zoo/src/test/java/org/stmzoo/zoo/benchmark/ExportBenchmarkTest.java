package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.stmzoo.export.ProbeImages;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.types.TFloat32;

/** The serve benchmark's statistics, its encoded input, and one tiny end-to-end run (no speed is asserted). */
class ExportBenchmarkTest {
  @Test
  void percentileIsTheNearestRank() {
    double[] five = {5, 1, 4, 2, 3};
    assertThat(ExportBenchmark.percentile(five, 50)).isEqualTo(3);
    assertThat(ExportBenchmark.percentile(five, 90)).isEqualTo(5); // rank ceil(4.5) = 5
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) {
      twenty[i] = 20 - i; // 20, 19, ..., 1
    }
    assertThat(ExportBenchmark.percentile(twenty, 50)).isEqualTo(10);
    assertThat(ExportBenchmark.percentile(twenty, 90)).isEqualTo(18);
    assertThat(ExportBenchmark.percentile(new double[] {7}, 90)).isEqualTo(7);
    assertThatThrownBy(() -> ExportBenchmark.percentile(new double[0], 50))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEncodedPngIsTheProbeImageRoundedToLevels() throws Exception {
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(ExportBenchmark.encodedProbe("png")));
    assertThat(decoded.getWidth()).isEqualTo(ExportBenchmark.ENCODED_WIDTH);
    assertThat(decoded.getHeight()).isEqualTo(ExportBenchmark.ENCODED_HEIGHT);
    try (TFloat32 probe = ProbeImages.create(1, ExportBenchmark.ENCODED_HEIGHT, ExportBenchmark.ENCODED_WIDTH)) {
      for (int[] yx : new int[][] {{0, 0}, {100, 321}, {374, 499}}) {
        int rgb = decoded.getRGB(yx[1], yx[0]);
        assertThat((rgb >> 16) & 0xff).isEqualTo(Math.round(probe.getFloat(0, yx[0], yx[1], 0)));
        assertThat((rgb >> 8) & 0xff).isEqualTo(Math.round(probe.getFloat(0, yx[0], yx[1], 1)));
        assertThat(rgb & 0xff).isEqualTo(Math.round(probe.getFloat(0, yx[0], yx[1], 2)));
      }
    }
    assertThat(ImageIO.read(new ByteArrayInputStream(ExportBenchmark.encodedProbe("jpeg"))).getWidth())
        .isEqualTo(ExportBenchmark.ENCODED_WIDTH);
  }

  @Test
  void everyServingPathIsMeasured() throws Exception {
    assertEveryPathMeasured("u-convnext-micro", ThreadPlan.throughput(1));
  }

  @Test
  void theLatencyPlanMeasuresGraphsBuiltWithRowStreams() throws Exception {
    // deit-tiny's blocks run as token streams under it: the export and the in-process graph both carry them
    assertEveryPathMeasured("deit-tiny", ThreadPlan.latency(2));
  }

  private static void assertEveryPathMeasured(String model, ThreadPlan plan) throws Exception {
    List<ExportBenchmark.Figures> figures = ExportBenchmark.run(ModelRegistry.get(model),
        ModelOptions.imagenet().withImageSize(32).withNumClasses(10), new ExportBenchmark.Settings(3, 2, 1, 1, plan));
    assertThat(figures).extracting(ExportBenchmark.Figures::path)
        .containsExactly("in-process", "serving_default", "image_bytes png", "image_bytes jpeg");
    for (ExportBenchmark.Figures f : figures) {
      assertThat(f.medianMs()).as(f.path()).isPositive().isLessThanOrEqualTo(f.p90Ms());
      assertThat(f.imagesPerSecond()).as(f.path()).isPositive().isFinite();
    }
  }
}
