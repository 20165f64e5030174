package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import org.stmzoo.layers.io.InputFileException;

/**
 * Any bytes given to the image-header reader end in dimensions within the limits or an
 * {@link InputFileException} with a one-line message naming the file; any other exception (ImageIO's runtime
 * exceptions included) fails. The seeds (ImageHeaderFuzzTestInputs/: PNG, JPEG, GIF, BMP, TIFF, lossless and
 * lossy WebP, PPM, PGM) run in {@code mvn test}; {@code scripts/fuzz.sh} fuzzes.
 */
class ImageHeaderFuzzTest {
  private static final Path NAME = Path.of("fuzz-image");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) throws IOException {
    fuzzerTestOneInput(input);
  }

  /** The entry point of Jazzer's command-line driver ({@code scripts/fuzz.sh}). */
  public static void fuzzerTestOneInput(byte[] input) throws IOException {
    try {
      ImageHeader header = ImageHeader.parse(input, NAME);
      assertThat((long) header.width() * header.height()).isPositive()
          .isLessThanOrEqualTo(ImageHeader.MAX_PIXELS.value());
    } catch (InputFileException e) {
      assertThat(e.getMessage()).startsWith(NAME + ": ").doesNotContain("\n");
    }
  }
}
