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
        .hasMessageContaining("exceed the limit of 1073741824 values (-Dstmzoo.limit.idx-values=N)");
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
  void aGzipStreamClaimingMoreThanItHoldsIsTruncatedNotAllocated() throws IOException {
    Path file = Files.write(dir.resolve("claims.gz"), gzip(idx(new int[] {1_000_000, 1000}, new byte[0]), 10));
    assertThatThrownBy(() -> IdxFile.read(file)).hasMessage(file + ": truncated IDX file (10 of 1000000000 values)");
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
