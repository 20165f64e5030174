package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labels read without decoding where the source holds them apart from the pixels, and through a subset. */
class ImageDatasetLabelTest {
  @Test
  void fashionMnistGivesTheLabelsItsImagesCarry() throws IOException {
    FashionMnist demo = FashionMnist.loadDemo(FashionMnist.Split.TEST);
    for (int i = 0; i < 50; i++) {
      assertThat(demo.label(i)).isEqualTo(demo.get(i).label());
    }
  }

  @Test
  void aSubsetAsksItsSourceForTheLabelWithoutDecoding() throws IOException {
    ImageDataset undecodable = new ImageDataset() {
      @Override
      public int size() {
        return 4;
      }

      @Override
      public List<String> classNames() {
        return List.of("a", "b", "c", "d");
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        throw new IOException("decoded image " + index);
      }

      @Override
      public int label(int index) {
        return 3 - index;
      }

      @Override
      public String description() {
        return "labels only";
      }
    };
    Subset subset = new Subset(undecodable, new int[] {2, 0});
    assertThat(subset.label(0)).isEqualTo(1);
    assertThat(subset.label(1)).isEqualTo(3);
  }
}
