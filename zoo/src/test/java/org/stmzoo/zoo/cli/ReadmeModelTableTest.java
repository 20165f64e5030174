package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's model table is what {@code ./stmzoo list --format markdown} prints now (scripts/update-model-table.sh
 * writes it): parameters and GMACs measured on the built graphs, so a change to a model's graph that moves its
 * count shows here (a faster DCNv3 sampler moved U-DCNv3's GMACs from 0.64 to 0.66 while the README kept 0.64).
 */
class ReadmeModelTableTest {
  private static final String BEGIN = "<!-- models:begin -->\n";
  private static final String END = "<!-- models:end -->";

  @Test
  void readmeTableIsTheRegistrysListing() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README's table markers").isNotNegative();
    CliTest.Outcome listed = CliTest.run("list", "--format", "markdown");
    assertThat(listed.code()).isEqualTo(0);
    assertThat(readme.substring(begin + BEGIN.length(), end))
        .as("README.md's model table; regenerate it with scripts/update-model-table.sh")
        .isEqualTo(listed.out());
  }
}
