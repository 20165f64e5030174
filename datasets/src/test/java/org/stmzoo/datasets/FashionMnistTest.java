package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir
  Path dir;

  /** An unsigned-byte IDX file written by hand: magic 0x00000800 | rank, big-endian dims, values. */
  static byte[] idx(int[] dims, byte[] values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x0800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(values);
    return bytes.toByteArray();
  }

  static void write(Path file, byte[] content, boolean gzip) throws IOException {
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
  }

  /** Two 28x28 images: the first with pixel (r, c) = r + c, the second all 255; labels 9 and 0. */
  private void writeTinySet(String prefix, boolean gzip) throws IOException {
    byte[] pixels = new byte[2 * 28 * 28];
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        pixels[r * 28 + c] = (byte) (r + c);
        pixels[784 + r * 28 + c] = (byte) 255;
      }
    }
    write(dir.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), idx(new int[] {2, 28, 28}, pixels), gzip);
    write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {9, 0}), false);
  }

  @Test
  void parsesGzippedAndRawIdxFiles() throws IOException {
    writeTinySet("train", true);
    writeTinySet("t10k", false);
    assertThat(FashionMnist.missingFiles(dir)).isEmpty();
    for (FashionMnist.Split split : FashionMnist.Split.values()) {
      FashionMnist data = FashionMnist.load(dir, split);
      assertThat(data.size()).isEqualTo(2);
      assertThat(data.channels()).isEqualTo(1);
      LabeledImage first = data.get(0);
      assertThat(first.label()).isEqualTo(9);
      assertThat(first.height()).isEqualTo(28);
      assertThat(first.pixels()[3 * 28 + 5]).isEqualTo(8 / 255f);
      assertThat(data.get(1).pixels()).containsOnly(1f);
      assertThat(data.classNames().get(first.label())).isEqualTo("Ankle boot");
    }
  }

  @Test
  void idxHeaderIsParsed() throws IOException {
    Path file = dir.resolve("x.idx");
    write(file, idx(new int[] {3, 2, 2}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), false);
    IdxFile parsed = IdxFile.read(file);
    assertThat(parsed.dims()).containsExactly(3, 2, 2);
    assertThat(parsed.count()).isEqualTo(3);
    assertThat(parsed.itemSize()).isEqualTo(4);
    assertThat(parsed.data()[11]).isEqualTo((byte) 12);
  }

  @Test
  void rejectsBadMagicTruncationAndMismatchedCounts() throws IOException {
    Path bad = dir.resolve("bad");
    write(bad, new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 7}, false);
    assertThatThrownBy(() -> IdxFile.read(bad)).hasMessageContaining("not an unsigned-byte IDX");
    Path truncated = dir.resolve("truncated");
    write(truncated, idx(new int[] {5}, new byte[] {1, 2}), false);
    assertThatThrownBy(() -> IdxFile.read(truncated)).hasMessageContaining("truncated");

    writeTinySet("train", false);
    write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {1, 2, 3}), false);
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN))
        .hasMessageContaining("for 2 images");
  }

  @Test
  void explicitFolderMustHoldAllFourFiles() throws IOException {
    writeTinySet("train", true);
    assertThatThrownBy(() -> FashionMnist.locate(dir, dir.resolve("cache"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("t10k-images-idx3-ubyte");
  }

  @Test
  void realFashionMnistFromTheDebianPackage() throws IOException {
    Path debian = Path.of(FashionMnist.DEBIAN_FOLDER);
    assumeTrue(FashionMnist.missingFiles(debian).isEmpty(), "apt-get install -y dataset-fashion-mnist");
    FashionMnist train = FashionMnist.load(debian, FashionMnist.Split.TRAIN);
    FashionMnist test = FashionMnist.load(debian, FashionMnist.Split.TEST);
    assertThat(train.size()).isEqualTo(60_000);
    assertThat(test.size()).isEqualTo(10_000);
    // The first training and test items are both ankle boots; label counts are 6,000 / 1,000 per class.
    assertThat(train.get(0).label()).isEqualTo(9);
    assertThat(test.get(1).label()).isEqualTo(2);
    int[] counts = new int[10];
    for (int i = 0; i < test.size(); i++) {
      counts[test.get(i).label()]++;
    }
    assertThat(counts).containsOnly(1000);
    assertThat(train.classNames()).isEqualTo(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));
  }
}
