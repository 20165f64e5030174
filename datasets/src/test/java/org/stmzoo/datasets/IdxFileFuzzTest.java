package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import org.stmzoo.layers.io.InputFileException;

/**
 * Any bytes given to the IDX reader (raw or gzipped) end in a file or an {@link InputFileException} with a
 * one-line message naming the file; any other exception fails. The seeds (IdxFileFuzzTestInputs/) run in
 * {@code mvn test}; {@code scripts/fuzz.sh} fuzzes.
 */
class IdxFileFuzzTest {
  private static final Path NAME = Path.of("fuzz-idx3-ubyte");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) throws IOException {
    fuzzerTestOneInput(input);
  }

  /** The entry point of Jazzer's command-line driver ({@code scripts/fuzz.sh}). */
  public static void fuzzerTestOneInput(byte[] input) throws IOException {
    try {
      IdxFile idx = IdxFile.parse(input, NAME);
      assertThat((long) idx.count() * idx.itemSize()).isEqualTo(idx.data().length);
    } catch (InputFileException e) {
      assertThat(e.getMessage()).startsWith(NAME + ": ").doesNotContain("\n");
    }
  }
}
