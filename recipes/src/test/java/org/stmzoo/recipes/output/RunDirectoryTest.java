package org.stmzoo.recipes.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;

/**
 * A checkpoint folder that a save cut off between its two renames left as {@code .NAME.old}: readers find it
 * there and rename nothing (a rename landing between a live trainer's two renames would fail its second one);
 * the run's writer puts it back.
 */
class RunDirectoryTest {
  /** {@code run/.NAME.old}: a checkpoint folder's metadata at {@code step}, and no {@code run/NAME}. */
  private static void cutOffSave(Path run, String name, long step) throws IOException {
    Path old = Files.createDirectories(run.resolve("." + name + ".old"));
    Files.writeString(old.resolve(CheckpointFolder.METADATA_FILE), """
        {"formatVersion": 1, "model": "deit-tiny", "numClasses": 2, "imageSize": 32, "inChannels": 3,
         "training": {"step": %d, "epochsDone": 1, "ema": false}}
        """.formatted(step));
  }

  @Test
  void readersFindTheOldFolderAndLeaveTheRunFolderAsItWas(@TempDir Path dir) throws IOException {
    cutOffSave(dir, RunDirectory.LAST, 7);
    RunDirectory run = new RunDirectory(dir);

    assertThat(RunDirectory.hasCheckpoint(dir, RunDirectory.LAST)).isTrue();
    assertThat(run.hasCheckpoint(RunDirectory.LAST)).isTrue();
    assertThat(run.checkpoint(RunDirectory.LAST)).isEqualTo(dir.resolve(".last.old"));
    assertThat(run.checkpointTraining(RunDirectory.LAST).step()).isEqualTo(7);
    assertThat(run.hasCheckpoint(RunDirectory.BEST)).isFalse();
    assertThat(run.checkpoint(RunDirectory.BEST)).isEqualTo(dir.resolve(RunDirectory.BEST));
    assertThat(names(dir)).containsExactly(".last.old");
  }

  @Test
  void theWriterPutsTheOldFolderBack(@TempDir Path dir) throws IOException {
    cutOffSave(dir, RunDirectory.LAST, 7);
    cutOffSave(dir, RunDirectory.BEST, 5);
    RunDirectory run = new RunDirectory(dir);

    run.recoverCheckpoints();
    assertThat(names(dir)).containsExactlyInAnyOrder(RunDirectory.LAST, RunDirectory.BEST);
    assertThat(run.checkpoint(RunDirectory.LAST)).isEqualTo(dir.resolve(RunDirectory.LAST));
    assertThat(run.checkpointTraining(RunDirectory.BEST).step()).isEqualTo(5);

    // an update of the metadata (the epoch's score) is a write too: into NAME, put back first
    Files.move(dir.resolve(RunDirectory.LAST), dir.resolve(".last.old"));
    run.updateTraining(RunDirectory.LAST, new CheckpointFolder.Training(7, 1, 50.0, false, false, null));
    assertThat(names(dir)).containsExactlyInAnyOrder(RunDirectory.LAST, RunDirectory.BEST);
    assertThat(run.checkpointTraining(RunDirectory.LAST).evalTop1()).isEqualTo(50.0);
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
