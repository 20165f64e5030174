package org.stmzoo.zoo.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.recipes.output.RunDirectory;

/** How a command-line path names a checkpoint: a checkpoint folder itself, or a run folder's best, else last. */
class StmzooCheckpointResolveTest {
  @TempDir Path dir;

  /** A checkpoint folder as far as resolving goes: metadata and an (empty) variables index. */
  private Path checkpointFolder(Path folder, long step) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(CheckpointFolder.METADATA_FILE), """
        {"formatVersion": 1, "model": "u-convnext-micro", "numClasses": 10, "imageSize": 32, "inChannels": 3,
         "training": {"step": %d, "epochsDone": 1, "ema": false}}
        """.formatted(step));
    Files.createFile(folder.resolve(CheckpointFolder.VARIABLES_PREFIX + ".index"));
    return folder;
  }

  private Path run(String name, boolean withBest) throws IOException {
    Path run = dir.resolve(name);
    Files.createDirectories(run);
    Files.writeString(run.resolve(RunDirectory.ARGS), "{\"model\": \"u-convnext-micro\"}");
    checkpointFolder(run.resolve(RunDirectory.LAST), 20);
    if (withBest) {
      checkpointFolder(run.resolve(RunDirectory.BEST), 10);
    }
    return run;
  }

  @Test
  void aRunFolderMeansItsBestCheckpoint() throws IOException {
    Path run = run("run", true);
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(run);
    assertThat(checkpoint.directory()).isEqualTo(run.resolve(RunDirectory.BEST));
    assertThat(checkpoint.metadata().training().step()).isEqualTo(10);
    assertThat(checkpoint.run()).map(RunDirectory::root).contains(run);
    assertThat(checkpoint.variablesPrefix()).isEqualTo(run.resolve("best/variables").toAbsolutePath());
  }

  @Test
  void aRunWithoutBestMeansItsLastCheckpoint() throws IOException {
    Path run = run("interrupted", false);
    assertThat(StmzooCheckpoint.resolve(run).directory()).isEqualTo(run.resolve(RunDirectory.LAST));
  }

  @Test
  void aSaveCutOffBetweenItsRenamesIsReadWhereItLiesAndLeftThere() throws IOException {
    Path run = run("cut-off", false);
    Files.move(run.resolve(RunDirectory.LAST), run.resolve(".last.old"));
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(run);
    assertThat(checkpoint.directory()).isEqualTo(run.resolve(".last.old"));
    assertThat(checkpoint.metadata().training().step()).isEqualTo(20);
    // renaming it back is the trainer's: a reader's rename could land between a live trainer's two
    assertThat(run.resolve(".last.old")).isDirectory();
    assertThat(run.resolve(RunDirectory.LAST)).doesNotExist();
  }

  @Test
  void aCheckpointFolderOfARunIsTakenAsItIsAndKnowsItsRun() throws IOException {
    Path run = run("run", true);
    StmzooCheckpoint last = StmzooCheckpoint.resolve(run.resolve(RunDirectory.LAST));
    assertThat(last.metadata().training().step()).isEqualTo(20);
    assertThat(last.run()).map(r -> r.root().toAbsolutePath()).contains(run.toAbsolutePath());
  }

  @Test
  void anImportOutputIsACheckpointWithoutARun() throws IOException {
    Path imported = checkpointFolder(dir.resolve("imported"), 0);
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(imported);
    assertThat(checkpoint.directory()).isEqualTo(imported);
    assertThat(checkpoint.run()).isEmpty();
    assertThat(checkpoint.metadata().classNames()).isEqualTo(List.of());
  }

  @Test
  void otherPathsAreRefusedSayingWhatIsExpected() throws IOException {
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> StmzooCheckpoint.resolve(dir.resolve("empty")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither an stmzoo checkpoint").hasMessageContaining("best/ or last/");
    assertThatThrownBy(() -> StmzooCheckpoint.resolve(dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such folder");
    assertThat(dir.resolve("missing")).doesNotExist();
    Path incomplete = checkpointFolder(dir.resolve("incomplete"), 0);
    Files.delete(incomplete.resolve("variables.index"));
    assertThatThrownBy(() -> StmzooCheckpoint.resolve(incomplete))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("incomplete checkpoint");
  }
}
