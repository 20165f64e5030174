package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Any bytes given to the {@code .npy} reader end in an array or a {@link WeightFormatException} with a one-line
 * message naming the file; any other exception (an overflow, an index error, running out of memory) fails. In
 * {@code mvn test} only the committed seeds run (NpyFileFuzzTestInputs/); {@code scripts/fuzz.sh} fuzzes.
 */
class NpyFileFuzzTest {
  private static final Path NAME = Path.of("fuzz.npy");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    fuzzerTestOneInput(input);
  }

  /** The entry point of Jazzer's command-line driver ({@code scripts/fuzz.sh}). */
  public static void fuzzerTestOneInput(byte[] input) {
    try {
      RawTensor tensor = NpyFile.parse(input, NAME);
      assertThat(tensor.values().length * 4L).isLessThanOrEqualTo(input.length);
    } catch (WeightFormatException e) {
      assertThat(e.getMessage()).startsWith(NAME + ": ").doesNotContain("\n");
    }
  }
}
