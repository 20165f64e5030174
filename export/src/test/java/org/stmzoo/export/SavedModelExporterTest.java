package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a version directory comes into place: its permissions, and what a failure or a race leaves behind. */
class SavedModelExporterTest {
  @TempDir
  Path base;

  @Test
  void theVersionDirectoryHasThePermissionsOfAnyNewDirectory() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    Path version = SavedModelExporter.writeAtomically(base.resolve("7"), staging -> {
      Files.writeString(staging.resolve("saved_model.pb"), "graph");
      return staging.resolveSibling("7");
    });
    Path plain = Files.createDirectory(base.resolve("plain"));

    // a temp directory would be rwx------, unreadable to a TF Serving process under another user
    assertThat(Files.getPosixFilePermissions(version)).isEqualTo(Files.getPosixFilePermissions(plain));
    assertThat(version.resolve("saved_model.pb")).hasContent("graph");
  }

  /** TF Serving reads {@code 01} as version 1, so an export of version 1 beside it would be a second version 1. */
  @Test
  void aVersionIsTakenUnderAnyNameTfServingReadsAsIt() throws IOException {
    Files.createDirectory(base.resolve("01"));

    assertThatThrownBy(() -> SavedModelExporter.versionDirectory(base, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(base.resolve("01") + " already exists (TF Serving's version 1); choose another --version");
    assertThat(SavedModelExporter.versionDirectory(base, 10)).isEqualTo(base.resolve("10"));
    assertThat(SavedModelExporter.versionDirectory(base.resolve("new"), 1)).isEqualTo(base.resolve("new/1"));
  }

  /** The clean-up knows staging folders by a version's digits: one for another name would never be reclaimed. */
  @Test
  void aTargetNotNamedAsAVersionIsRefused() {
    assertThatThrownBy(() -> SavedModelExporter.writeAtomically(base.resolve("model"), staging -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(base.resolve("model") + " is not a version directory (its name must be a version number)");
    assertThat(base).satisfiesAnyOf(b -> assertThat(b).doesNotExist(), b -> assertThat(b).isEmptyDirectory());
  }

  @Test
  void aVersionThatAppearsWhileWritingIsReportedAsSuchAndKept() throws IOException {
    Path target = base.resolve("3");
    // another exporter finishes version 3 while this one is still writing it
    assertThatThrownBy(() -> SavedModelExporter.writeAtomically(target, staging -> {
      Files.createDirectory(target);
      Files.writeString(target.resolve("saved_model.pb"), "theirs");
      Files.writeString(staging.resolve("saved_model.pb"), "ours");
      return null;
    })).isInstanceOf(FileAlreadyExistsException.class)
        .hasMessage(target + ": version 3 appeared while this export was written (another export of the same"
            + " version?); choose another --version");

    assertThat(target.resolve("saved_model.pb")).hasContent("theirs");
    try (Stream<Path> left = Files.list(base)) {
      assertThat(left).containsExactly(target); // no hidden staging folder left behind
    }
  }
}
