package org.stmzoo.zoo.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Coverage-guided fuzzing of the checkpoint readers with Jazzer: whatever the bytes, a reader either returns or
 * throws its declared {@link WeightFormatException}; any other exception or error (OutOfMemoryError,
 * StackOverflowError, a raw IndexOutOfBounds...) fails. {@code mvn test} runs only the committed seed corpus
 * ({@code src/test/resources/org/stmzoo/zoo/weights/CheckpointReadersFuzzTestInputs/METHOD/}); to fuzz:
 * {@code JAZZER_FUZZ=1 mvn -pl zoo -am test -Dtest=CheckpointReadersFuzzTest#fuzzTorchPickle}
 * (each target runs for its maxDuration; findings are written beside the seeds).
 */
class CheckpointReadersFuzzTest {
  /** Tight enough that no input can exhaust a test JVM's heap, loose enough for the seeds. */
  private static final CheckpointLimits LIMITS = new CheckpointLimits(64L << 20, 10_000, 1L << 20, 200_000, 100,
      1000, 100);

  @FuzzTest(maxDuration = "10m")
  void fuzzSafetensors(byte[] file) throws IOException {
    Path p = write(file, ".safetensors");
    try {
      SafetensorsReader.read(p, LIMITS);
    } catch (WeightFormatException expected) {
      // the declared failure
    } finally {
      Files.delete(p);
    }
  }

  /**
   * The bytes are {@code data.pkl} of a PyTorch zip whose storage {@code 0} holds 16 floats, so that the
   * mutations reach the pickle reader, the state-dict choice and the tensor views rather than zip checksums.
   */
  @FuzzTest(maxDuration = "10m")
  void fuzzTorchPickle(byte[] pickle) throws IOException {
    Path p = write(zipAround(pickle), ".pth");
    try {
      TorchCheckpointReader.read(p, StateDictChoice.MODEL, LIMITS);
    } catch (WeightFormatException expected) {
      // the declared failure
    } finally {
      Files.delete(p);
    }
  }

  /** Whole files: the zip container (entries, sizes, compression) as well as what it holds. */
  @FuzzTest(maxDuration = "10m")
  void fuzzCheckpointFile(byte[] file) throws IOException {
    Path p = write(file, ".pth");
    try {
      ReferenceCheckpoints.read(p, StateDictChoice.EMA, LIMITS);
    } catch (WeightFormatException expected) {
      // the declared failure
    } finally {
      Files.delete(p);
    }
  }

  static byte[] zipAround(byte[] pickle) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(0);
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(pickle);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("archive/data/0"));
      zip.write(new byte[64]);
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  private static Path write(byte[] bytes, String suffix) throws IOException {
    Path p = Files.createTempFile("fuzz", suffix);
    Files.write(p, bytes);
    return p;
  }
}
