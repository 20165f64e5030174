package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;

/**
 * {@code --limit-train}, {@code --limit-val} and eval's {@code --limit} on an image folder, which lists its images
 * class by class: each takes a class-stratified sample drawn with the seed, not the first images (one class).
 */
class DataLimitsTest {
  @TempDir
  Path tmp;

  private static Set<Integer> labels(ImageDataset data) throws IOException {
    Set<Integer> labels = new HashSet<>();
    for (int i = 0; i < data.size(); i++) {
      labels.add(data.label(i));
    }
    return labels;
  }

  @Test
  void theLimitsOfAnImageFolderHoldEveryClass() throws IOException {
    Path root = tmp.resolve("root");
    StmzooTest.tinyFolder(root.resolve("train"), 8);
    StmzooTest.tinyFolder(root.resolve("val"), 8);
    DataSpec.Loaded loaded = DataSpec.folder(root).withLimits(8, 3).load(5);
    assertThat(loaded.train().size()).isEqualTo(8);
    assertThat(labels(loaded.train())).containsExactlyInAnyOrder(0, 1);
    assertThat(loaded.val().orElseThrow().size()).isEqualTo(3);
    assertThat(labels(loaded.val().orElseThrow())).containsExactlyInAnyOrder(0, 1);
    assertThat(loaded.val().orElseThrow().description()).startsWith("3 images, a class-stratified sample (seed 5)"
        + " of image folder " + root.resolve("val"));
  }
}
