package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest a checkpoint's metadata records covers the V2 checkpoint's own files and nothing else. */
class CheckpointIntegrityTest {
  @TempDir Path dir;

  @Test
  void theDigestLeavesOutTensorFlowsTemporaryFiles() throws IOException {
    Files.writeString(dir.resolve("variables.index"), "index");
    Files.writeString(dir.resolve("variables.data-00000-of-00001"), "data");
    // what a save in progress, or killed, leaves beside them
    Files.writeString(dir.resolve("variables.data-00000-of-00001.tempstate8412"), "half a save");
    Files.writeString(dir.resolve("variables.index.tempstate8413"), "half an index");
    Files.writeString(dir.resolve(CheckpointFolder.METADATA_FILE), "{}");

    assertThat(CheckpointIntegrity.digest(dir)).extracting(CheckpointFolder.VariablesFile::name)
        .containsExactly("variables.data-00000-of-00001", "variables.index");
  }
}
