package org.stmzoo.layers.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each path of the wrong kind is named for what it is, not as missing or inaccessible. */
class PathChecksTest {
  @TempDir Path dir;

  @Test
  void aFolderToReadMustBeAFolder() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertThat(PathChecks.existingFolder(dir, "data folder")).isEqualTo(dir);
    assertThatThrownBy(() -> PathChecks.existingFolder(file, "data folder"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("data folder " + file + " is a file, not a folder");
    assertThatThrownBy(() -> PathChecks.existingFolder(dir.resolve("nope"), "data folder"))
        .hasMessage("data folder " + dir.resolve("nope") + " does not exist");
  }

  @Test
  void anOutputFolderIsAFolderOrCanBeCreated() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertThat(PathChecks.outputFolder(dir)).isEqualTo(dir);
    assertThat(PathChecks.outputFolder(dir.resolve("new/deeper"))).isEqualTo(dir.resolve("new/deeper"));
    assertThat(dir.resolve("new")).doesNotExist(); // checked, not created
    assertThatThrownBy(() -> PathChecks.outputFolder(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": is a file, not a folder");
    assertThatThrownBy(() -> PathChecks.outputFolder(file.resolve("sub")))
        .hasMessage(file + ": is a file, not a folder (in " + file.resolve("sub") + ")");
  }

  @Test
  void anOutputFileIsNotAFolderAndItsFolderCanBeCreated() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertThat(PathChecks.outputFile(file)).isEqualTo(file); // replaced
    assertThat(PathChecks.outputFile(dir.resolve("new/cm.png"))).isEqualTo(dir.resolve("new/cm.png"));
    assertThat(PathChecks.outputFile(Path.of("cm.png"))).isEqualTo(Path.of("cm.png"));
    assertThatThrownBy(() -> PathChecks.outputFile(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(dir + ": is a folder, not a file");
    assertThatThrownBy(() -> PathChecks.outputFile(file.resolve("cm.png")))
        .hasMessage(file + ": is a file, not a folder (in " + file + ")");
  }
}
