package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
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

  /** Three classes of four 1x1 images, listed class by class as an image folder lists them. */
  private static final ImageDataset BY_CLASS = new ImageDataset() {
    @Override
    public int size() {
      return 12;
    }

    @Override
    public List<String> classNames() {
      return List.of("a", "b", "c");
    }

    @Override
    public LabeledImage get(int index) {
      return new LabeledImage(new float[] {index / 11f}, 1, 1, 1, index / 4);
    }

    @Override
    public String description() {
      return "twelve images sorted by class";
    }
  };

  private static List<Integer> labels(ImageDataset data) throws IOException {
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      labels.add(data.label(i));
    }
    return labels;
  }

  private static List<Float> pixels(ImageDataset data) throws IOException {
    List<Float> pixels = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      pixels.add(data.get(i).pixels()[0]);
    }
    return pixels;
  }

  @Test
  void aStratifiedSampleTakesTheClassesInTurnWhereTheFirstImagesAreOneClass() throws IOException {
    assertThat(labels(Subset.first(BY_CLASS, 6))).containsOnly(0, 1);
    ImageDataset six = Subset.stratified(BY_CLASS, 6, 0);
    assertThat(labels(six)).hasSize(6).containsOnly(0, 1, 2);
    for (int label = 0; label < 3; label++) {
      int each = label;
      assertThat(labels(six)).filteredOn(l -> l == each).hasSize(2);
    }
    assertThat(labels(Subset.stratified(BY_CLASS, 2, 0))).doesNotHaveDuplicates();
    assertThat(six.description()).isEqualTo("6 images, a class-stratified sample (seed 0) of twelve images sorted"
        + " by class");
    assertThat(six.classNames()).isEqualTo(BY_CLASS.classNames());
  }

  @Test
  void aStratifiedSampleIsSeededAndASmallerOneIsPartOfIt() throws IOException {
    List<Float> six = pixels(Subset.stratified(BY_CLASS, 6, 3));
    assertThat(pixels(Subset.stratified(BY_CLASS, 6, 3))).isEqualTo(six);
    assertThat(pixels(Subset.stratified(BY_CLASS, 4, 3))).isEqualTo(six.subList(0, 4));
    assertThat(pixels(Subset.stratified(BY_CLASS, 6, 4))).isNotEqualTo(six);
    assertThat(Subset.stratified(BY_CLASS, 12, 3)).isSameAs(BY_CLASS);
    assertThat(Subset.stratified(BY_CLASS, 99, 3)).isSameAs(BY_CLASS);
  }

  @Test
  void aNegativeCountIsAClearError() {
    assertThatThrownBy(() -> Subset.stratified(FIVE, -1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1").hasMessageContaining("zero or more");
    assertThatThrownBy(() -> Subset.first(FIVE, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1").hasMessageContaining("five test images")
        .hasMessageContaining("zero or more");
  }
}
