package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.weights.RawTensor;

class AnalysisImagesTest {
  /** {@code counts[c]} images of class c, sorted by class as an image folder is. */
  private static AnalysisImages sortedByClass(int... counts) {
    List<LabeledImage> images = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      names.add("class" + c);
      for (int i = 0; i < counts[c]; i++) {
        images.add(new LabeledImage(new float[] {images.size()}, 1, 1, 1, c));
      }
    }
    return AnalysisImages.of(TinyModels.dataset(images, names));
  }

  private static List<Integer> labels(AnalysisImages images, int n) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(images.get(i).label());
    }
    return out;
  }

  /** The source index of each image of the sample (the pixel value holds it). */
  private static List<Integer> sources(AnalysisImages images) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      out.add((int) images.get(i).pixels()[0]);
    }
    return out;
  }

  @Test
  void theFirstNImagesCoverTheClassesEvenly() throws Exception {
    AnalysisImages all = sortedByClass(10, 10, 10);
    AnalysisImages sample = AnalysisImages.stratifiedSample(all, 6, 0);
    assertThat(sample.size()).isEqualTo(30);
    assertThat(sources(sample)).containsExactlyInAnyOrderElementsOf(sources(all));
    assertThat(new HashSet<>(labels(sample, 3))).containsExactlyInAnyOrder(0, 1, 2);
    List<Integer> six = labels(sample, 6);
    for (int c = 0; c < 3; c++) {
      int cls = c;
      assertThat(six.stream().filter(l -> l == cls).count()).as("class %d among the first 6", c).isEqualTo(2);
    }
    assertThat(sample.description()).isEqualTo("6 images, a class-stratified sample (seed 0) of 30 synthetic images");
  }

  @Test
  void theOrderIsFixedBySeedAndShuffledWithinClasses() throws Exception {
    AnalysisImages all = sortedByClass(10, 10, 10);
    List<Integer> first = sources(AnalysisImages.stratifiedSample(all, 6, 3));
    assertThat(sources(AnalysisImages.stratifiedSample(all, 6, 3))).isEqualTo(first);
    assertThat(sources(AnalysisImages.stratifiedSample(all, 6, 4))).isNotEqualTo(first);
    // not the sorted order within a class: the first image of class 0 taken is not always image 0
    Set<Integer> firstOfClassZero = new HashSet<>();
    for (long seed = 0; seed < 10; seed++) {
      AnalysisImages sample = AnalysisImages.stratifiedSample(all, 6, seed);
      for (int i = 0; i < sample.size(); i++) {
        if (sample.get(i).label() == 0) {
          firstOfClassZero.add((int) sample.get(i).pixels()[0]);
          break;
        }
      }
    }
    assertThat(firstOfClassZero).hasSizeGreaterThan(1);
  }

  @Test
  void aSmallClassIsExhaustedAndTheOthersGoOn() throws Exception {
    AnalysisImages sample = AnalysisImages.stratifiedSample(sortedByClass(1, 5), 4, 0);
    List<Integer> four = labels(sample, 4);
    assertThat(four.stream().filter(l -> l == 0).count()).isEqualTo(1);
    assertThat(four.stream().filter(l -> l == 1).count()).isEqualTo(3);
  }

  @Test
  void allImagesAskedForKeepTheSourceAsItIs() {
    AnalysisImages all = sortedByClass(2, 2);
    assertThat(AnalysisImages.stratifiedSample(all, 4, 0)).isSameAs(all);
    assertThat(AnalysisImages.stratifiedSample(all, 100, 0)).isSameAs(all);
  }

  @Test
  void anImageWhoseLabelCannotBeReadComesLast() throws Exception {
    List<LabeledImage> images = List.of(new LabeledImage(new float[] {0}, 1, 1, 1, 0),
        new LabeledImage(new float[] {1}, 1, 1, 1, 0), new LabeledImage(new float[] {2}, 1, 1, 1, 1));
    ImageDataset firstUnreadable = new ImageDataset() {
      @Override
      public int size() {
        return images.size();
      }

      @Override
      public List<String> classNames() {
        return List.of("a", "b");
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        if (index == 0) {
          throw new IOException("image 0 is corrupt");
        }
        return images.get(index);
      }

      @Override
      public String description() {
        return "3 images";
      }
    };
    AnalysisImages sample = AnalysisImages.stratifiedSample(AnalysisImages.of(firstUnreadable), 2, 0);
    assertThat(labels(sample, 2)).containsExactlyInAnyOrder(0, 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sample.get(2)).isInstanceOf(IOException.class);
  }

  /**
   * A normalised .npy batch is mapped back with each channel's mean and std (one value: every channel's), clamped to
   * [0, 1]; the model normalises it again to the batch.
   */
  @Test
  void aNormalisedBatchIsMappedBackPerChannel() throws IOException {
    float[] normalised = {1, -1, 2, 0, 0.5f, -10};
    RawTensor batch = new RawTensor(new long[] {1, 1, 2, 3}, normalised);
    LabeledImage rgb = AnalysisImages.ofNormalised(batch, Optional.empty(), new float[] {0.5f, 0.4f, 0.3f},
        new float[] {0.2f, 0.25f, 0.1f}, "rgb").get(0);
    assertThat(rgb.pixels()).containsExactly(new float[] {0.7f, 0.15f, 0.5f, 0.5f, 0.525f, 0f}, within(1e-6f));
    LabeledImage shared = AnalysisImages.ofNormalised(batch, Optional.empty(), new float[] {0.5f},
        new float[] {0.2f}, "one").get(0);
    assertThat(shared.pixels()).containsExactly(new float[] {0.7f, 0.3f, 0.9f, 0.5f, 0.6f, 0f}, within(1e-6f));
    // the linear model's statistics: mean 0.5, 0.4, 0.3; std 0.2, 0.25, 0.3
    try (AnalysisModel model = AnalysisModel.randomInit(TinyModels.linear(1, 2, 0).entry(),
        new ModelOptions(2, 3, 1, null), 0)) {
      assertThat(model.normalise(new float[] {0.7f, 0.15f, 0.5f})).containsExactly(new float[] {1, -1, 2 / 3f},
          within(1e-6f));
    }
  }

  /** An NCHW batch (which passed the rank check with 224 "channels" and failed in the first view) is refused. */
  @Test
  void aBatchWithAnotherChannelCountThanTheStatisticsIsRefused() {
    RawTensor nchw = new RawTensor(new long[] {1, 3, 2, 2}, new float[12]);
    float[] three = {0.5f, 0.4f, 0.3f};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AnalysisImages.ofNormalised(nchw, Optional.empty(),
        three, three, "batch.npy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch.npy: expected an NHWC batch [N, H, W, 3], got [1, 3, 2, 2] (NCHW? transpose it to NHWC)");
  }

}
