package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputLimitException;

/**
 * Hostile IDX files (issue 14): negative, overflowing and unbacked dimensions, a gzip stream that inflates far
 * beyond what its header declares, a FIFO; each one clear line, none allocating more than the data it holds.
 */
@Timeout(30)
class HostileIdxTest {
  @TempDir Path dir;

  static byte[] idx(int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length).putInt(0x0800 | dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  static byte[] gzip(byte[] header, long zeros) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(header);
      byte[] block = new byte[1 << 16];
      for (long left = zeros; left > 0; left -= block.length) {
        gz.write(block, 0, (int) Math.min(left, block.length));
      }
    }
    return out.toByteArray();
  }

  @Test
  void aNegativeDimensionIsNamed() throws IOException {
    Path file = Files.write(dir.resolve("neg"), idx(new int[] {-5, 28, 28}, new byte[0]));
    assertThatThrownBy(() -> IdxFile.read(file)).isInstanceOf(InputFileException.class)
        .hasMessage(file + ": negative IDX dimension -5");
  }

  @Test
  void dimensionsWhoseProductOverflowsAreOverTheLimit() throws IOException {
    Path file = Files.write(dir.resolve("overflow"), idx(new int[] {65536, 65536, 65536, 65536}, new byte[0]));
    assertThatThrownBy(() -> IdxFile.read(file)).isInstanceOf(InputLimitException.class)
        .hasMessageContaining("exceed the limit of 67108864 values (-Dstmzoo.limit.idx-values=N)");
    Path zeroFirst = Files.write(dir.resolve("zero-first"), idx(new int[] {0, 65536, 65536, 65536}, new byte[0]));
    assertThatThrownBy(() -> IdxFile.read(zeroFirst)).isInstanceOf(InputLimitException.class);
  }

  @Test
  void aRawFileMustHoldWhatItsDimensionsSay() throws IOException {
    Path file = Files.write(dir.resolve("short"), idx(new int[] {1000, 28, 28}, new byte[100]));
    assertThatThrownBy(() -> IdxFile.read(file))
        .hasMessage(file + ": IDX dimensions [1000, 28, 28] need 784016 bytes, the file holds 116");
  }

  @Test
  void aGzipBombStopsAtTheDeclaredSize() throws IOException {
    // 64 MiB of zeros after a 10x28x28 header: ~64 KB on disk; reading stops one byte past the declared values
    Path file = Files.write(dir.resolve("bomb.gz"), gzip(idx(new int[] {10, 28, 28}, new byte[0]), 64L << 20));
    assertThat(Files.size(file)).isLessThan(200_000);
    assertThatThrownBy(() -> IdxFile.read(file)).hasMessage(file + ": trailing bytes after 7840 IDX values");
  }

  @Test
  void aGzipStreamClaimingMoreThanItHoldsIsTruncated() throws IOException {
    // the claim costs its declared 60 MB at most: the limit is the memory bound
    Path file = Files.write(dir.resolve("claims.gz"), gzip(idx(new int[] {1_000_000, 60}, new byte[0]), 10));
    assertThatThrownBy(() -> IdxFile.read(file)).hasMessage(file + ": truncated IDX file (10 of 60000000 values)");
  }

  @Test
  void aSmallGzipClaimingAGigabyteIsOverTheDefaultLimit() throws IOException {
    // 2^30 values passed the old default limit of 2^30, and reading them took twice that in memory
    Path file = Files.write(dir.resolve("gig.gz"), gzip(idx(new int[] {1, 32768, 32768}, new byte[0]), 10));
    assertThatThrownBy(() -> IdxFile.read(file)).isInstanceOf(InputLimitException.class)
        .hasMessage(file + ": IDX dimensions [1, 32768, 32768] exceed the limit of 67108864 values"
            + " (-Dstmzoo.limit.idx-values=N)");
  }

  @Test
  void theValuesAreReadIntoOneArrayWithoutACopy() throws IOException {
    int values = 20_000 * 784;
    Path raw = Files.write(dir.resolve("raw"), idx(new int[] {20_000, 28, 28}, new byte[values]));
    Path gz = Files.write(dir.resolve("raw.gz"), gzip(idx(new int[] {20_000, 28, 28}, new byte[0]), values));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (Path file : new Path[] {raw, gz}) {
      long before = threads.getCurrentThreadAllocatedBytes();
      IdxFile read = IdxFile.read(file);
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(read.data()).hasSize(values);
      // the array itself and a few buffers; readNBytes(n) allocated twice the values
      assertThat(allocated).as(file.toString()).isLessThan(values + (2L << 20));
    }
  }

  @Test
  void fashionMnistRefusesAnotherShapeFromTheHeader() throws IOException {
    Path images = Files.write(dir.resolve("train-images-idx3-ubyte.gz"),
        gzip(idx(new int[] {1, 32768, 32768}, new byte[0]), 10));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {1}, new byte[1]));
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN)).isInstanceOf(InputFileException.class)
        .hasMessage(images + ": IDX dimensions [1, 32768, 32768] are not [N, 28, 28]");
    Files.write(images, gzip(idx(new int[] {1, 28, 28}, new byte[0]), 784));
    Path labels = Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {1, 1}, new byte[1]));
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN)).isInstanceOf(InputFileException.class)
        .hasMessage(labels + ": IDX dimensions [1, 1] are not [N]");
  }

  @Test
  void theValueLimitIsASystemProperty() throws IOException {
    Path file = Files.write(dir.resolve("ok"), idx(new int[] {2, 2}, new byte[4]));
    System.setProperty("stmzoo.limit.idx-values", "3");
    try {
      assertThatThrownBy(() -> IdxFile.read(file)).isInstanceOf(InputLimitException.class);
    } finally {
      System.clearProperty("stmzoo.limit.idx-values");
    }
    assertThat(IdxFile.read(file).data()).hasSize(4);
  }

  @Test
  void corruptGzipAndFifoAreOneLine() throws Exception {
    byte[] gz = gzip(idx(new int[] {4}, new byte[4]), 0);
    gz[gz.length - 6] ^= 0x55; // the CRC of the uncompressed data
    Path corrupt = Files.write(dir.resolve("corrupt.gz"), gz);
    assertThatThrownBy(() -> IdxFile.read(corrupt)).isInstanceOf(InputFileException.class)
        .hasMessageStartingWith(corrupt + ": corrupt gzip stream");
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> IdxFile.read(fifo)).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> IdxFile.read(Path.of("/dev/zero"))).hasMessageContaining("not a regular file");
  }
}
