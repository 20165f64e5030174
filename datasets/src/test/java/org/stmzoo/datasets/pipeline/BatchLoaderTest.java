package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.ImageFolder;
import org.stmzoo.datasets.LabeledImage;

class BatchLoaderTest {
  /** n flat 4x4 RGB images whose pixels all equal index / 1000, so a batch tells which images it holds. */
  private record Numbered(int size, Set<Integer> broken) implements ImageDataset {
    @Override
    public List<String> classNames() {
      return List.of("a", "b", "c");
    }

    @Override
    public LabeledImage get(int index) throws IOException {
      if (broken.contains(index)) {
        throw new IOException("image " + index + " is corrupt");
      }
      float[] pixels = new float[4 * 4 * 3];
      Arrays.fill(pixels, index / 1000f);
      return new LabeledImage(pixels, 4, 4, 3, index % 3);
    }

    @Override
    public String description() {
      return "numbered";
    }
  }

  /** Identity transform: 4x4 eval at crop fraction 1, mean 0, std 1. */
  private static final TransformConfig IDENTITY = TransformConfig.eval(4, 1f, new float[] {0}, new float[] {1}, false);

  private static final TransformConfig AUGMENTED = TransformConfig.train(8, new float[] {0.5f, 0.5f, 0.5f},
      new float[] {0.25f, 0.25f, 0.25f}, "rand-m9-mstd0.5-inc1", false);

  private static List<Integer> indices(Iterator<Batch> batches) {
    List<Integer> indices = new ArrayList<>();
    batches.forEachRemaining(batch -> {
      int per = batch.height() * batch.width() * batch.channels();
      for (int i = 0; i < batch.size(); i++) {
        indices.add(Math.round(batch.images()[i * per] * 1000));
        assertThat(batch.labels()[i]).isEqualTo(indices.get(indices.size() - 1) % 3);
      }
    });
    return indices;
  }

  private static List<Batch> all(Iterator<Batch> batches) {
    List<Batch> list = new ArrayList<>();
    batches.forEachRemaining(list::add);
    return list;
  }

  @Test
  void sameSeedSameOrderDifferentEpochDifferentOrder() {
    Numbered data = new Numbered(50, Set.of());
    try (BatchLoader serial = new BatchLoader(data, IDENTITY, 8, true, false, 5, 0);
        BatchLoader parallel = new BatchLoader(data, IDENTITY, 8, true, false, 5, 3);
        BatchLoader otherSeed = new BatchLoader(data, IDENTITY, 8, true, false, 6, 2)) {
      List<Integer> epoch0 = indices(serial.epoch(0, 0));
      assertThat(epoch0).hasSize(50).doesNotHaveDuplicates();
      assertThat(epoch0).isNotEqualTo(sorted(epoch0));
      assertThat(indices(parallel.epoch(0, 0))).isEqualTo(epoch0);
      assertThat(indices(parallel.epoch(1, 0))).isNotEqualTo(epoch0).containsExactlyInAnyOrderElementsOf(epoch0);
      assertThat(indices(otherSeed.epoch(0, 0))).isNotEqualTo(epoch0);
    }
  }

  @Test
  void augmentedBatchesDoNotDependOnThreadCount() {
    Numbered data = new Numbered(20, Set.of());
    try (BatchLoader one = new BatchLoader(data, AUGMENTED, 6, true, true, 9, 1);
        BatchLoader three = new BatchLoader(data, AUGMENTED, 6, true, true, 9, 3)) {
      List<Batch> a = all(one.epoch(4, 0));
      List<Batch> b = all(three.epoch(4, 0));
      assertThat(a).hasSize(3);
      for (int i = 0; i < a.size(); i++) {
        assertThat(b.get(i).images()).containsExactly(a.get(i).images());
        assertThat(b.get(i).labels()).containsExactly(a.get(i).labels());
        assertThat(a.get(i).channels()).isEqualTo(3);
        assertThat(a.get(i).height()).isEqualTo(8);
      }
    }
  }

  @Test
  void resumingAtABatchGivesTheTailOfTheFullEpoch() {
    Numbered data = new Numbered(23, Set.of());
    try (BatchLoader loader = new BatchLoader(data, AUGMENTED, 4, true, false, 3, 2)) {
      List<Batch> full = all(loader.epoch(2, 0));
      List<Batch> tail = all(loader.epoch(2, 3));
      assertThat(full).hasSize(6);
      assertThat(tail).hasSize(3);
      for (int i = 0; i < tail.size(); i++) {
        assertThat(tail.get(i).images()).containsExactly(full.get(3 + i).images());
        assertThat(tail.get(i).labels()).containsExactly(full.get(3 + i).labels());
      }
      assertThat(full.get(5).size()).isEqualTo(3);
      assertThat(loader.epoch(2, 6).hasNext()).isFalse();
    }
  }

  @Test
  void dropLastAndBatchCounts() {
    Numbered data = new Numbered(10, Set.of());
    try (BatchLoader keep = new BatchLoader(data, IDENTITY, 4, false, false, 0, 0);
        BatchLoader drop = new BatchLoader(data, IDENTITY, 4, false, true, 0, 2)) {
      assertThat(keep.batchesPerEpoch()).isEqualTo(3);
      assertThat(drop.batchesPerEpoch()).isEqualTo(2);
      assertThat(indices(keep.epoch(0, 0))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      assertThat(indices(drop.epoch(0, 0))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }
    assertThatThrownBy(() -> new BatchLoader(data, IDENTITY, 11, false, true, 0, 0))
        .hasMessageContaining("batch size 11");
  }

  @Test
  void inTrainingUnreadableImagesAreReplacedByTheNextOneAndCounted() {
    Numbered data = new Numbered(10, Set.of(3, 7));
    try (BatchLoader loader = new BatchLoader(data, IDENTITY, 4, false, true, 0, 2)) {
      List<Batch> batches = all(loader.epoch(0, 0));
      assertThat(batches).extracting(Batch::size).containsExactly(4, 4);
      assertThat(indices(loader.epoch(0, 0))).containsExactly(0, 1, 2, 4, 4, 5, 6, 8);
      assertThat(loader.skippedImages()).isEqualTo(2);
    }
    try (BatchLoader hopeless = new BatchLoader(new Numbered(2, Set.of(0, 1)), IDENTITY, 2, false, true, 0, 0)) {
      assertThatThrownBy(() -> hopeless.epoch(0, 0).next()).hasMessageContaining("no readable image");
    }
  }

  @Test
  void inEvaluationUnreadableImagesAreLeftOutAndCounted() {
    // kept-last batches (evaluation): an unreadable image is not scored in another's place
    Numbered data = new Numbered(10, Set.of(3, 7));
    for (int threads : new int[] {0, 2}) {
      try (BatchLoader loader = new BatchLoader(data, IDENTITY, 4, false, false, 0, threads)) {
        assertThat(all(loader.epoch(0, 0))).extracting(Batch::size).containsExactly(3, 3, 2);
        assertThat(indices(loader.epoch(0, 0))).containsExactly(0, 1, 2, 4, 5, 6, 8, 9);
        assertThat(loader.skippedImages()).isEqualTo(2);
      }
    }
    try (BatchLoader none = new BatchLoader(new Numbered(3, Set.of(0, 1)), IDENTITY, 2, false, false, 0, 0)) {
      assertThat(all(none.epoch(0, 0))).extracting(Batch::size).containsExactly(0, 1);
      assertThat(none.skippedImages()).isEqualTo(2);
    }
  }

  /** Numbered images that take a while to read, recording which were requested and on which threads. */
  private static final class Watched implements ImageDataset {
    private final Numbered numbered = new Numbered(64, Set.of());
    final Set<Integer> requested = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public int size() {
      return numbered.size();
    }

    @Override
    public List<String> classNames() {
      return numbered.classNames();
    }

    @Override
    public LabeledImage get(int index) throws IOException {
      requested.add(index);
      threads.add(Thread.currentThread().getName());
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return numbered.get(index);
    }

    @Override
    public String description() {
      return "watched";
    }
  }

  private static void awaitRequests(Watched data, int count) throws InterruptedException {
    for (int i = 0; i < 500 && data.requested.size() < count; i++) {
      Thread.sleep(20);
    }
  }

  @Test
  void aBatchLargerThanOneJavaArrayIsRefusedWhenTheLoaderIsMade() {
    // 14,300 RGB images at 224 are 2,152,550,400 floats: size * valuesPerImage overflowed int
    TransformConfig rgb224 = TransformConfig.eval(224, 0.875f, new float[] {0.5f}, new float[] {0.5f}, false);
    assertThatThrownBy(() -> new BatchLoader(new Numbered(20_000, Set.of()), rgb224, 14_300, false, false, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch 14300 of 224x224x3 images is 2152550400 values, more than one Java array holds"
            + " (2147483639); use a smaller batch");
    assertThatThrownBy(() -> new BatchLoader(new Numbered(30_000, Set.of()), rgb224, 28_600, false, true, 0, 0,
        new BatchLoader.Shard(1, 2))).hasMessageStartingWith("batch 28600 (14300 a shard) of 224x224x3 images");
    new BatchLoader(new Numbered(20_000, Set.of()), rgb224, 14_000, false, false, 0, 0).close();
  }

  @Test
  void batchesAheadStayWithinTheByteBudgetAndOneBatchIsSpreadOverTheThreads() throws InterruptedException {
    // a budget of one batch (8 images of 4x4x3 floats): one batch in flight, however many threads
    String property = BatchLoader.PREFETCH_BYTES.property();
    System.setProperty(property, Integer.toString(8 * 4 * 4 * 3 * Float.BYTES));
    Watched data = new Watched();
    try (BatchLoader loader = new BatchLoader(data, IDENTITY, 8, false, true, 0, 4)) {
      Iterator<Batch> epoch = loader.epoch(0, 0);
      Thread.sleep(400); // time enough to read all 64 if nothing held the loader back
      assertThat(data.requested).as("only the first batch ahead").hasSize(8);
      assertThat(data.threads).as("its 8 images read by the 4 threads, not one").hasSizeGreaterThan(1);
      assertThat(indices(List.of(epoch.next()).iterator())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      awaitRequests(data, 16);
      Thread.sleep(200);
      assertThat(data.requested).as("the next batch, once the first was taken, and no more").hasSize(16);
    } finally {
      System.clearProperty(property);
    }
    Watched unbounded = new Watched();
    try (BatchLoader loader = new BatchLoader(unbounded, IDENTITY, 8, false, true, 0, 4)) {
      loader.epoch(0, 0);
      awaitRequests(unbounded, 64);
      assertThat(unbounded.requested).as("2 x 4 threads batches ahead under the default budget").hasSize(64);
    }
  }

  @Test
  void corruptFilesInAnImageFolderAreSkippedNotFatal(@TempDir Path root) throws IOException {
    for (String name : List.of("a/1.png", "a/2.png", "b/1.png", "b/2.png")) {
      Path file = root.resolve(name);
      Files.createDirectories(file.getParent());
      ImageIO.write(new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    }
    Files.write(root.resolve("a/broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
    byte[] png = Files.readAllBytes(root.resolve("b/1.png"));
    Files.write(root.resolve("b/truncated.png"), Arrays.copyOf(png, png.length / 2));
    ImageFolder folder = ImageFolder.scan(root);
    assertThat(folder.size()).isEqualTo(6);
    try (BatchLoader loader = new BatchLoader(folder, AUGMENTED, 3, true, true, 1, 2)) {
      for (int epoch = 0; epoch < 2; epoch++) {
        List<Batch> batches = all(loader.epoch(epoch, 0));
        assertThat(batches).extracting(Batch::size).containsExactly(3, 3);
      }
      assertThat(loader.skippedImages()).isEqualTo(2);
    }
  }

  private static List<Integer> sorted(List<Integer> values) {
    return values.stream().sorted().toList();
  }

  @Test
  void shardsOfABatchConcatenateToTheUnshardedBatchWithTheSameAugmentation() {
    Numbered data = new Numbered(40, Set.of());
    try (BatchLoader whole = new BatchLoader(data, AUGMENTED, 8, true, true, 3, 0);
        BatchLoader first = new BatchLoader(data, AUGMENTED, 8, true, true, 3, 1, new BatchLoader.Shard(0, 2));
        BatchLoader second = new BatchLoader(data, AUGMENTED, 8, true, true, 3, 0, new BatchLoader.Shard(1, 2))) {
      assertThat(first.batchesPerEpoch()).isEqualTo(whole.batchesPerEpoch());
      List<Batch> full = all(whole.epoch(1, 2));
      List<Batch> a = all(first.epoch(1, 2));
      List<Batch> b = all(second.epoch(1, 2));
      assertThat(a).hasSameSizeAs(full);
      for (int k = 0; k < full.size(); k++) {
        assertThat(a.get(k).size()).isEqualTo(4);
        float[] joined = Arrays.copyOf(a.get(k).images(), full.get(k).images().length);
        System.arraycopy(b.get(k).images(), 0, joined, a.get(k).images().length, b.get(k).images().length);
        assertThat(joined).isEqualTo(full.get(k).images());
        int[] labels = Arrays.copyOf(a.get(k).labels(), 8);
        System.arraycopy(b.get(k).labels(), 0, labels, 4, 4);
        assertThat(labels).isEqualTo(full.get(k).labels());
      }
    }
    assertThatThrownBy(() -> new BatchLoader(data, AUGMENTED, 8, true, true, 3, 0, new BatchLoader.Shard(0, 3)))
        .hasMessageContaining("split evenly");
    assertThatThrownBy(() -> new BatchLoader.Shard(2, 2)).hasMessageContaining("does not exist");
  }
}
