package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which version of a TF Serving base directory is loaded: found without loading anything. */
class ExportedModelTest {
  @TempDir
  Path base;

  /** Folders TF Serving ignores (past long's range, zero) are not versions, and do not stop the others loading. */
  @Test
  void theHighestVersionIsFoundPastFoldersThatAreNoVersion() throws IOException {
    for (String name : new String[] {"99999999999999999999", "0", "2", "10"}) {
      Files.writeString(Files.createDirectory(base.resolve(name)).resolve(ServingSignatures.SAVED_MODEL_FILE), "g");
    }

    assertThat(ExportedModel.findVersion(base)).contains(base.resolve("10"));
    assertThat(SavedModelExporter.versionOf(Path.of("007"))).hasValue(7);
    // a base folder holding only 0/ loads it, as it did before versions were parsed as longs
    assertThat(SavedModelExporter.versionOf(Path.of("0"))).hasValue(0);
    assertThat(SavedModelExporter.versionOf(Path.of("9223372036854775807"))).hasValue(Long.MAX_VALUE);
    assertThat(SavedModelExporter.versionOf(Path.of("9223372036854775808"))).isEmpty();
    assertThat(SavedModelExporter.versionOf(Path.of(".3-incomplete-abc"))).isEmpty();
  }
}
