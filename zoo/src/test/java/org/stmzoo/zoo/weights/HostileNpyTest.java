package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputLimitException;

/**
 * Hostile {@code .npy} files (issue 14): what numpy refuses is refused, numbers that are not numbers and shapes
 * whose element count overflows are named, devices, FIFOs and folders are refused before they are opened.
 */
@Timeout(30)
class HostileNpyTest {
  private static final Path NAME = Path.of("x.npy");
  @TempDir Path dir;

  /** A version-1 file with {@code header} (padded as numpy pads it) and {@code dataBytes} zero bytes. */
  static byte[] npy(String header, int dataBytes) {
    StringBuilder h = new StringBuilder(header);
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length()).array());
    out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(new byte[dataBytes]);
    return out.toByteArray();
  }

  @Test
  void int32AndInt64ArraysAreReadAsFloats() {
    byte[] i4 = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 0);
    byte[] i4Data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(1 << 24).array();
    assertThat(NpyFile.parse(concat(i4, i4Data), NAME).values()).containsExactly(-7f, 16777216f);
    byte[] i8 = npy("{'descr': '=i8', 'fortran_order': False, 'shape': (2,), }", 0);
    byte[] i8Data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(-(1L << 40)).array();
    assertThat(NpyFile.parse(concat(i8, i8Data), NAME).values()).containsExactly(3f, (float) -(1L << 40));
    assertThatThrownBy(() -> NpyFile.parse(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4), NAME))
        .hasMessageContaining("only little-endian float32 (<f4), int32 (<i4) and int64 (<i8) arrays are supported");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static String header(String shape) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  @Test
  void aWellFormedArrayRoundTrips() throws IOException {
    RawTensor t = new RawTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    Path file = dir.resolve("ok.npy");
    NpyFile.write(file, t);
    RawTensor back = NpyFile.read(file);
    assertThat(back.shape()).containsExactly(2, 3);
    assertThat(back.values()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(NpyFile.parse(npy(header("()"), 4), NAME).values()).hasSize(1);
    assertThat(NpyFile.parse(npy(header("(0, 5)"), 0), NAME).values()).isEmpty();
    assertThat(NpyFile.parse(npy("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(3L,)}", 12), NAME)
        .shape()).containsExactly(3);
  }

  @Test
  void aDuplicateKeyIsRefusedAsNumpyRefusesIt() {
    assertThatThrownBy(() -> NpyFile.parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
        + "'shape': (1,), }", 8), NAME)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("duplicate key 'shape'");
  }

  @Test
  void malformedNumbersAndHeadersAreNamed() {
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(2x, 3)"), 24), NAME))
        .hasMessageStartingWith("x.npy: malformed .npy header at character ").hasMessageContaining("expected ','");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(-2, 3)"), 24), NAME))
        .hasMessageContaining("not a non-negative integer");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(5)"), 20), NAME)).hasMessageContaining("(N,)");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(99999999999999999999,)"), 0), NAME))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> NpyFile.parse(npy("{'descr': '<f4', 'shape': (1,), }", 4), NAME))
        .hasMessageContaining("not exactly descr, fortran_order, shape");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(1,)") + " junk", 4), NAME))
        .hasMessageContaining("after the closing brace");
  }

  @Test
  void shapesWhoseElementCountOverflowsOrNeedsMoreDataThanTheFileHoldsAreRefused() {
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(461168601842738790, 40)"), 8), NAME))
        .isInstanceOf(WeightFormatException.class)
        .hasMessage("x.npy: the element count of shape [461168601842738790, 40] overflows 64 bits");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(4611686018427387904, 4)"), 8), NAME))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("is too large");
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(3037000500, 3037000500, 0)"), 0), NAME))
        .isInstanceOf(WeightFormatException.class);
    assertThatThrownBy(() -> NpyFile.parse(npy(header("(8,)"), 12), NAME))
        .hasMessage("x.npy: shape [8] needs more data than the 12 bytes the file holds");
  }

  @Test
  void anOverlongHeaderIsRefusedUnread() {
    byte[] bytes = new byte[70_000];
    System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0x50, (byte) 0xc3, 0, 0}, 0, bytes, 0,
        12);
    assertThatThrownBy(() -> NpyFile.parse(bytes, NAME))
        .hasMessage("x.npy: .npy header of 50000 bytes exceeds numpy's limit of 10000");
  }

  @Test
  void devicesFifosAndFoldersAreRefusedBeforeOpening() throws Exception {
    assertThatThrownBy(() -> NpyFile.read(Path.of("/dev/zero"))).isInstanceOf(InputFileException.class)
        .hasMessage("/dev/zero: is not a regular file (a FIFO, socket or device); only regular files are read");
    Path fifo = dir.resolve("fifo.npy");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> NpyFile.read(fifo)).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> NpyFile.read(dir)).hasMessage(dir + ": is a directory, not a file");
  }

  @Test
  void theSizeLimitIsASystemProperty() throws IOException {
    Path file = Files.write(dir.resolve("big.npy"), npy(header("(16,)"), 64));
    System.setProperty("stmzoo.limit.npy-bytes", "100");
    try {
      assertThatThrownBy(() -> NpyFile.read(file)).isInstanceOf(InputLimitException.class)
          .hasMessage(file + ": 192 bytes exceeds the limit of 100 bytes (-Dstmzoo.limit.npy-bytes=N)");
    } finally {
      System.clearProperty("stmzoo.limit.npy-bytes");
    }
    assertThat(NpyFile.read(file).values()).hasSize(16);
  }
}
