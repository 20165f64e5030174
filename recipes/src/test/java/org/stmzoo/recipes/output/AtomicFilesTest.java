package org.stmzoo.recipes.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a write leaves on disk: the new content and nothing beside it, or the old content when the writer fails.
 * That each file and folder is flushed (fsync) before the rename cannot be observed without cutting the power.
 */
class AtomicFilesTest {
  @Test
  void aFileIsReplacedAndNoTemporaryIsLeft(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("summary.csv");
    Files.writeString(target, "old");
    AtomicFiles.write(target, tmp -> Files.writeString(tmp, "new"));
    assertThat(target).hasContent("new");
    assertThat(names(dir)).containsExactly("summary.csv");
  }

  @Test
  void aFileWhoseWriterFailsKeepsItsOldContent(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("summary.csv");
    Files.writeString(target, "old");
    assertThatThrownBy(() -> AtomicFiles.write(target, tmp -> {
      Files.writeString(tmp, "half");
      throw new IOException("disk full");
    })).hasMessage("disk full");
    assertThat(target).hasContent("old");
    assertThat(names(dir)).containsExactly("summary.csv");
  }

  /** A rename that fails (here over a folder of the same name) takes its temporary file with it. */
  @Test
  void aFileWhoseRenameFailsLeavesNoTemporary(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("exp");
    Files.createDirectories(target.resolve("inside"));
    assertThatThrownBy(() -> AtomicFiles.write(target, tmp -> Files.writeString(tmp, "new")))
        .isInstanceOf(IOException.class);
    assertThat(target).isDirectory();
    assertThat(names(dir)).containsExactly("exp");
  }

  @Test
  void aFolderIsReplacedWholeAndNeitherTemporaryNorOldIsLeft(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("last");
    AtomicFiles.writeFolder(target, tmp -> {
      Files.writeString(tmp.resolve("stale"), "from the first save");
      Files.writeString(tmp.resolve("variables.index"), "1");
    });
    AtomicFiles.writeFolder(target, tmp -> {
      Files.writeString(tmp.resolve("variables.index"), "2");
      Files.createDirectories(tmp.resolve("nested"));
      Files.writeString(tmp.resolve("nested/part"), "2b");
    });
    assertThat(names(target)).containsExactlyInAnyOrder("variables.index", "nested");
    assertThat(target.resolve("variables.index")).hasContent("2");
    assertThat(target.resolve("nested/part")).hasContent("2b");
    assertThat(names(dir)).containsExactly("last");
  }

  @Test
  void aFolderWhoseWriterFailsKeepsTheOldFolder(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("best");
    AtomicFiles.writeFolder(target, tmp -> Files.writeString(tmp.resolve("variables.index"), "1"));
    assertThatThrownBy(() -> AtomicFiles.writeFolder(target, tmp -> {
      Files.writeString(tmp.resolve("variables.index"), "half");
      throw new IOException("killed");
    })).hasMessage("killed");
    assertThat(target.resolve("variables.index")).hasContent("1");
    assertThat(dir.resolve(".best.old")).doesNotExist();
    // nothing of the failed write is left beside the folder
    assertThat(names(dir)).containsExactly("best");
    AtomicFiles.writeFolder(target, tmp -> Files.writeString(tmp.resolve("variables.data"), "3"));
    assertThat(names(target)).containsExactly("variables.data");
    assertThat(names(dir)).containsExactly("best");
  }

  @Test
  void recoverPutsBackTheOldFolderThatACrashBetweenTheRenamesLeft(@TempDir Path dir) throws IOException {
    Path old = Files.createDirectories(dir.resolve(".last.old"));
    Files.writeString(old.resolve("variables.index"), "1");
    AtomicFiles.recover(dir.resolve("last"));
    assertThat(dir.resolve("last/variables.index")).hasContent("1");
    assertThat(old).doesNotExist();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
