package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubsetTest {
  /** Five 1x1 gray images labelled with their index. */
  private static final ImageDataset FIVE = new ImageDataset() {
    @Override
    public int size() {
      return 5;
    }

    @Override
    public List<String> classNames() {
      return List.of("a", "b", "c", "d", "e");
    }

    @Override
    public LabeledImage get(int index) {
      return new LabeledImage(new float[] {index / 4f}, 1, 1, 1, index);
    }

    @Override
    public String description() {
      return "five test images";
    }
  };

  @Test
  void firstTakesAPrefixOrEverything() throws IOException {
    Subset three = Subset.first(FIVE, 3);
    assertThat(three.size()).isEqualTo(3);
    assertThat(three.get(2).label()).isEqualTo(2);
    assertThat(Subset.first(FIVE, 99).size()).isEqualTo(5);
    assertThat(Subset.first(FIVE, 0).size()).isZero();
  }

  @Test
  void aNegativeCountIsAClearError() {
    assertThatThrownBy(() -> Subset.first(FIVE, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1").hasMessageContaining("five test images")
        .hasMessageContaining("zero or more");
  }
}
