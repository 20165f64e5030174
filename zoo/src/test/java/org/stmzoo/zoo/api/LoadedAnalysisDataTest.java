package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/** A normalised batch is mapped back to pixels with each model's own mean and std, into images of its own. */
class LoadedAnalysisDataTest {
  @TempDir Path dir;

  @Test
  void eachModelMapsTheBatchBackWithItsOwnStatistics() throws Exception {
    Path npy = dir.resolve("batch.npy");
    // one 1x2 image: a pixel at the mean (0) and one a third of a std above it, in every channel
    float[] values = {0, 0, 0, 1 / 3f, 1 / 3f, 1 / 3f};
    NpyFile.write(npy, new RawTensor(new long[] {1, 1, 2, 3}, values));
    LoadedAnalysisData data = LoadedAnalysisData.read(AnalysisData.npy(npy));
    Preprocessing imagenet = Preprocessing.imagenet();
    Preprocessing inception = Preprocessing.inception(0.875f);

    AnalysisImages forImagenet = data.forModel(imagenet);
    AnalysisImages forInception = data.forModel(inception);
    assertThat(forImagenet).isNotSameAs(forInception);
    assertThat(data.classNames()).isNull();
    LabeledImage a = forImagenet.get(0);
    LabeledImage b = forInception.get(0);
    for (int c = 0; c < 3; c++) {
      assertThat(a.pixels()[c]).as("imagenet channel %d", c).isCloseTo(imagenet.mean()[c], within(1e-6f));
      assertThat(a.pixels()[3 + c]).isCloseTo(imagenet.mean()[c] + imagenet.std()[c] / 3, within(1e-6f));
      // inception's mean and std are 0.5: the same batch is other pixels
      assertThat(b.pixels()[c]).as("inception channel %d", c).isCloseTo(0.5f, within(1e-6f));
      assertThat(b.pixels()[3 + c]).isCloseTo(0.5f + 0.5f / 3, within(1e-6f));
    }
    assertThat(a.label()).isEqualTo(AnalysisImages.NO_LABEL);
  }
}
