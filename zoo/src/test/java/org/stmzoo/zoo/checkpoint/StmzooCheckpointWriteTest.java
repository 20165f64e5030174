package org.stmzoo.zoo.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * {@link StmzooCheckpoint#write} (import's output) writes the folder whole and renames it into place: a failed or
 * killed write leaves the checkpoint there as it was, and TensorFlow's temporary files never reach it.
 */
class StmzooCheckpointWriteTest {
  private static final List<String> CHECKPOINT_FILES = List.of(CheckpointFolder.METADATA_FILE, "variables.data-00000"
      + "-of-00001", "variables.index");

  @TempDir Path dir;

  /** Builds a tiny deit-tiny (32 px, 3 classes, variables seeded with {@code seed}) and hands it to {@code write}. */
  private static void withModel(long seed, Writer write) throws IOException {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("deit-tiny"), new ModelOptions(3, 3, 32, null), graph,
          seed, -1, true);
      write.write(session, built);
    }
  }

  @FunctionalInterface
  private interface Writer {
    void write(Session session, BuiltModel built) throws IOException;
  }

  private static void importInto(Path folder, long seed) throws IOException {
    withModel(seed, (session, built) -> {
      session.run(built.model().initializer());
      StmzooCheckpoint.write(folder, session, built, StmzooCheckpoint.metadataFor(built, List.of(), "seed " + seed));
    });
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Map<String, byte[]> contents(Path folder) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : names(folder)) {
      out.put(name, Files.readAllBytes(folder.resolve(name)));
    }
    return out;
  }

  /**
   * A killed in-place save left TensorFlow's {@code .tempstate} files in the folder: the next import must neither
   * keep them nor record them in its digest (the reader refuses a checkpoint that names them).
   */
  @Test
  void aReimportOverAKilledImportsTemporaryFilesHoldsOnlyTheCheckpoint() throws IOException {
    Path folder = dir.resolve("imported");
    importInto(folder, 1);
    Files.writeString(folder.resolve("variables.data-00000-of-00001.tempstate8412"), "half a save");
    Files.writeString(folder.resolve("variables.index.tempstate8413"), "half an index");

    importInto(folder, 2);

    assertThat(names(folder)).isEqualTo(CHECKPOINT_FILES);
    assertThat(StmzooCheckpoint.read(folder).metadata().variablesFiles())
        .extracting(CheckpointFolder.VariablesFile::name)
        .containsExactly("variables.data-00000-of-00001", "variables.index");
    assertThat(StmzooCheckpoint.read(folder).metadata().source()).isEqualTo("seed 2");
    assertThat(names(dir)).containsExactly("imported"); // no temporary or old sibling left behind
  }

  /** A re-import whose save fails (here: weights never initialised) leaves the previous import byte for byte. */
  @Test
  void aFailedReimportLeavesThePreviousImportAsItWas() throws IOException {
    Path folder = dir.resolve("imported");
    importInto(folder, 1);
    Map<String, byte[]> before = contents(folder);

    assertThatThrownBy(() -> withModel(2, (session, built) -> StmzooCheckpoint.write(folder, session, built,
        StmzooCheckpoint.metadataFor(built, List.of(), "seed 2"))))
        .hasMessageContaining("uninitialized");

    assertThat(contents(folder)).containsOnlyKeys(before.keySet());
    before.forEach((name, bytes) -> assertThat(folder.resolve(name)).as(name).hasBinaryContent(bytes));
    assertThat(StmzooCheckpoint.read(folder).metadata().source()).isEqualTo("seed 1"); // and it still verifies
  }

  /** Replacing a folder replaces all of it: one that is not a checkpoint (and not empty) is refused, untouched. */
  @Test
  void aFolderThatIsNotACheckpointIsNotReplaced() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("models"));
    Files.writeString(folder.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> importInto(folder, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(folder + " exists and is not an stmzoo checkpoint: writing one there would replace everything in"
            + " it; name a new or empty folder");
    assertThat(names(folder)).containsExactly("notes.txt");

    Path empty = Files.createDirectories(dir.resolve("empty"));
    importInto(empty, 1);
    assertThat(names(empty)).isEqualTo(CHECKPOINT_FILES);
  }
}
