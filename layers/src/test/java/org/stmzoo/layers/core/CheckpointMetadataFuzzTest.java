package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Any bytes given as a checkpoint's metadata file end in metadata within bounds or an IllegalArgumentException
 * with a one-line message naming the file (no Jackson location dump, no Java class name); any other exception
 * fails. The seeds (CheckpointMetadataFuzzTestInputs/) run in {@code mvn test}; {@code scripts/fuzz.sh} fuzzes.
 */
class CheckpointMetadataFuzzTest {
  private static final Path NAME = Path.of("stmzoo-checkpoint.json");

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    fuzzerTestOneInput(input);
  }

  @Test
  void aKeyGivenTwiceOrAFractionalCountIsRefusedNotResolvedSilently() throws Exception {
    String valid = CheckpointFolder.json().writeValueAsString(
        CheckpointFolder.Metadata.of("deit-tiny", 2, 224, 3, List.of("a", "b"), "test"));
    assertThat(CheckpointMetadata.parse(valid.getBytes(StandardCharsets.UTF_8), NAME).imageSize()).isEqualTo(224);
    String fraction = valid.replace("\"imageSize\" : 224", "\"imageSize\" : 224.9");
    assertThat(fraction).isNotEqualTo(valid);
    assertThatThrownBy(() -> CheckpointMetadata.parse(fraction.getBytes(StandardCharsets.UTF_8), NAME))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(NAME + ": ");
    String twice = valid.replaceFirst("\\{", "{ \"numClasses\" : 5,");
    assertThatThrownBy(() -> CheckpointMetadata.parse(twice.getBytes(StandardCharsets.UTF_8), NAME))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numClasses");
  }

  /** The entry point of Jazzer's command-line driver ({@code scripts/fuzz.sh}). */
  public static void fuzzerTestOneInput(byte[] input) {
    try {
      CheckpointFolder.Metadata m = CheckpointMetadata.parse(input, NAME);
      assertThat(m.imageSize()).isBetween(1, (int) CheckpointMetadata.MAX_IMAGE_SIZE.value());
      assertThat(m.classNames().isEmpty() || m.classNames().size() == m.numClasses()).isTrue();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith(NAME + ": ").doesNotContain("\n");
      // no Jackson location, no Java class name, unless the file itself holds that text and a message echoes it
      String text = new String(input, StandardCharsets.ISO_8859_1);
      for (String internal : new String[] {"[Source:", "org.stmzoo", "java.util"}) {
        if (!text.contains(internal)) {
          assertThat(e.getMessage()).doesNotContain(internal);
        }
      }
    }
  }
}
