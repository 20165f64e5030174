package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Small hostile {@code .pth} files (in {@code resources/org/stmzoo/zoo/weights/hostile/}, written by a review's
 * generators) that hung the reader, overflowed its stack or made it allocate gigabytes: each must now be one
 * {@link WeightFormatException} naming the file, within seconds, under the default limits.
 */
class HostileTorchCheckpointTest {
  @TempDir Path tmp;

  static Path resource(String name) {
    try {
      return Path.of(HostileTorchCheckpointTest.class.getResource("hostile/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Throwable read(Path file) {
    return assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> catchThrowable(() -> TorchCheckpointReader.read(file, StateDictChoice.MODEL,
            CheckpointLimits.defaults())));
  }

  private static void assertRefused(Path file, String expected) {
    Throwable t = read(file);
    assertThat(t).isInstanceOf(WeightFormatException.class);
    assertThat(t.getMessage()).startsWith(file.toString()).contains(expected).doesNotContain("\n")
        .hasSizeLessThan(600);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // DUP, TUPLE2 x70: a DAG of shared tuples whose unfolded hash cost 2^70 as a dict key
      "dag.pth      | a dict key or set member of more than 10000 values",
      // a tensor view whose size list holds itself, used as a dict key: StackOverflowError in hashCode
      "tvkey.pth    | unhashable a tensor used as a dict key",
      // a bare view whose size holds two lists holding each other: StackOverflowError describing it
      "tvtop.pth    | the checkpoint holds a tensor, not a dict of tensors",
      // 1-element storage, two views of 10^9 elements with stride 0: 8 GB allocated
      "stride0.pth  | has 1000000000 elements, more than the 1 of its storage 0",
      // a stored entry declaring 1.6 GB in a 514-byte file: the floats were allocated before the read failed
      "lie.pth      | archive/data/0 declares 1600000000 bytes, more than the 514 bytes of the whole file",
      "lie2.pth     | more than the 514 bytes of the whole file",
      // a ByteStorage of 2^63-1 elements matching a zip64 entry size: NegativeArraySizeException
      "zip64neg.pth | has 9223372036854775807 elements, more than one Java array holds",
  })
  void hostileFilesAreOneLineErrors(String name, String expected) {
    assertRefused(resource(name), expected);
  }

  /** A top-level view whose size list holds 200,000 references to one 64 KiB string: 13 GB to describe. */
  @Test
  void aViewWithAHugeArgumentIsDescribedBriefly() throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    p.write("ctorch._utils\n_rebuild_tensor_v2\n(NK\u0000](".getBytes(StandardCharsets.ISO_8859_1));
    p.write('X');
    p.write(new byte[] {0, 0, 1, 0}); // 65536, little-endian
    p.write("x".repeat(65536).getBytes(StandardCharsets.US_ASCII));
    p.write(new byte[] {'q', 5});
    for (int i = 0; i < 200_000; i++) {
      p.write(new byte[] {'h', 5});
    }
    p.write("eK\u0000tR.".getBytes(StandardCharsets.ISO_8859_1));
    Path file = tmp.resolve("tvbig.pth");
    Files.write(file, zip(p.toByteArray()));
    assertRefused(file, "the checkpoint holds a tensor, not a dict of tensors");
  }

  /**
   * Views of one storage element sharing one memoized size and stride of 100,000 dimensions: each view copied
   * them (2,000 such views, a 247 KB file, ran out of memory).
   */
  @Test
  void viewsSharingAHugeSizeAreRefused() throws IOException {
    PickleReaderTest.Ops p = new PickleReaderTest.Ops().op(0x80, 2, '(');
    for (int i = 0; i < 100_000; i++) {
      p.op('K', 1);
    }
    p.op('t', 'q', 0, '0', '(').str("storage").raw("ctorch\nFloatStorage\n").str("0").str("cpu")
        .op('K', 16, 't', 'Q', 'q', 1, '0').raw("ctorch._utils\n_rebuild_tensor_v2\n").op('q', 2, '0', '}', '(');
    for (int i = 0; i < 10; i++) {
      p.str("t" + i).op('h', 2, '(', 'h', 1, 'K', 0, 'h', 0, 'h', 0, 0x89, 't', 'R');
    }
    Path file = tmp.resolve("rank.pth");
    Files.write(file, CheckpointReadersFuzzTest.zipAround(p.op('u', '.').bytes()));
    assertRefused(file, "tensor 't0': its size has 100000 dimensions, more than 32");
  }

  static byte[] zip(byte[] pickle) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(pickle);
      zip.closeEntry();
    }
    return out.toByteArray();
  }
}
