package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Damaged and hostile checkpoint folders and {@code .npy} inputs through the CLI (issue 14): every one is a single
 * {@code error: FILE: what is wrong} line with exit code 1, and the command returns (a failed restore used to leave
 * the JVM waiting forever on the graph's open session; the timeout catches that).
 */
@Timeout(120)
class HostileCheckpointTest {
  private static final String DATA = "variables.data-00000-of-00001";
  @TempDir static Path shared;
  static Path pristine;
  static Path input;
  @TempDir Path dir;

  @BeforeAll
  static void writeATinyCheckpoint() throws IOException {
    pristine = shared.resolve("pristine");
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("deit-tiny"), new ModelOptions(3, 3, 32, null), graph,
          0L, -1, true);
      session.run(built.model().initializer());
      StmzooCheckpoint.write(pristine, session, built,
          StmzooCheckpoint.metadataFor(built, List.of("cat", "dog", "bird"), "test"));
    }
    input = shared.resolve("batch.npy");
    NpyFile.write(input, new RawTensor(new long[] {1, 32, 32, 3}, new float[32 * 32 * 3]));
  }

  private Path copy() throws IOException {
    Path copy = dir.resolve("ckpt");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(pristine)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return copy;
  }

  private static CliTest.Outcome predict(Path checkpoint, Path npy) {
    return CliTest.run("predict", "--checkpoint", checkpoint.toString(), "--npy", npy.toString());
  }

  /** Exit 1 and exactly one line {@code error: ...} holding {@code expected}, no Java internals. */
  private static void assertOneLineError(CliTest.Outcome o, String expected) {
    assertThat(o.code()).as(o.err()).isEqualTo(1);
    assertThat(o.err()).startsWith("error: ").contains(expected).doesNotContain("Exception").doesNotContain("\tat ")
        .doesNotContain("[[").doesNotContain("[Source:");
    assertThat(o.err().strip().lines()).hasSize(1);
  }

  @Test
  void theUndamagedCheckpointPredictsAndRecordsItsDigests() throws IOException {
    assertThat(predict(pristine, input).code()).isZero();
    List<CheckpointFolder.VariablesFile> files = StmzooCheckpoint.read(pristine).metadata().variablesFiles();
    assertThat(files).extracting(CheckpointFolder.VariablesFile::name).containsExactly(DATA, "variables.index");
    assertThat(files.get(0).bytes()).isEqualTo(Files.size(pristine.resolve(DATA)));
  }

  @Test
  void garbageTruncatedOrMissingVariablesAreNamedByEveryCommand() throws IOException {
    Path garbage = copy();
    byte[] noise = new byte[(int) Files.size(garbage.resolve(DATA))];
    new Random(1).nextBytes(noise);
    Files.write(garbage.resolve(DATA), noise);
    assertOneLineError(predict(garbage, input), garbage.resolve(DATA) + ": content differs from the SHA-256");

    byte[] data = Files.readAllBytes(pristine.resolve(DATA));
    Files.write(garbage.resolve(DATA), java.util.Arrays.copyOf(data, data.length / 3));
    assertOneLineError(predict(garbage, input), garbage.resolve(DATA) + ": " + data.length / 3 + " bytes");
    assertOneLineError(predict(garbage, input), "(truncated)");
    assertOneLineError(CliTest.run("export", "--checkpoint", garbage.toString(), "--output",
        dir.resolve("export").toString()), "(truncated)");
    assertOneLineError(CliTest.run("eval", "--checkpoint", garbage.toString(), "--data", dir.toString()),
        "(truncated)");

    Files.delete(garbage.resolve(DATA));
    assertOneLineError(predict(garbage, input), garbage.resolve(DATA) + ": missing");
  }

  @Test
  void aRestoreErrorIsOneLineNamingTheVariableAndTheCommandReturns() throws IOException {
    // the metadata names another model with the same digests: TensorFlow's restore fails, translated
    Path other = copy();
    Path meta = other.resolve(CheckpointFolder.METADATA_FILE);
    Files.writeString(meta, Files.readString(meta).replace("\"deit-tiny\"", "\"pit-ti\""));
    CliTest.Outcome o = predict(other, input);
    assertOneLineError(o, other.resolve("variables").toAbsolutePath() + ": cannot restore variable ");
    assertThat(o.err()).contains("not found in checkpoint");
  }

  @Test
  void aFolderWithoutDigestsStillGetsATranslatedRestoreError() throws IOException {
    Path legacy = copy();
    Files.writeString(legacy.resolve(CheckpointFolder.METADATA_FILE), """
        {"formatVersion": 1, "model": "deit-tiny", "numClasses": 3, "imageSize": 32, "inChannels": 3}
        """);
    byte[] data = Files.readAllBytes(legacy.resolve(DATA));
    Files.write(legacy.resolve(DATA), java.util.Arrays.copyOf(data, data.length / 2));
    assertOneLineError(predict(legacy, input), ": cannot restore ");
  }

  @Test
  void aFifoAsTheVariablesIndexIsRefusedWithoutBlocking() throws Exception {
    Path fifo = copy();
    Files.delete(fifo.resolve("variables.index"));
    assertThat(new ProcessBuilder("mkfifo", fifo.resolve("variables.index").toString()).start().waitFor()).isZero();
    assertOneLineError(predict(fifo, input), fifo.resolve("variables.index") + ": is not a regular file");
  }

  @Test
  void malformedMetadataIsOneLineNamingTheField() throws IOException {
    Path folder = copy();
    Path meta = folder.resolve(CheckpointFolder.METADATA_FILE);
    String good = Files.readString(meta);

    Files.write(meta, new byte[] {'{', '"', 'm', (byte) 0xc3, (byte) 0x28, '"', '}'});
    assertOneLineError(predict(folder, input), meta + ": not valid UTF-8 (at byte 3)");

    Files.writeString(meta, good.substring(0, good.length() / 2));
    assertOneLineError(predict(folder, input), meta + ": malformed JSON");

    Files.writeString(meta, good.replace("\"imageSize\" : 32", "\"imageSize\" : \"big\""));
    assertOneLineError(predict(folder, input), meta + ": malformed JSON at imageSize: ");

    Files.writeString(meta, good.replace("\"imageSize\" : 32", "\"imageSize\" : 1000000"));
    assertOneLineError(predict(folder, input), meta + ": imageSize 1000000 is outside 1..1024"
        + " (-Dstmzoo.limit.checkpoint-image-size=N)");
    assertOneLineError(CliTest.run("eval", "--checkpoint", folder.toString(), "--data", dir.toString()),
        "imageSize 1000000 is outside");

    Files.writeString(meta, good.replaceAll("\"dog\",\\s*\"bird\"", "\"dog\""));
    assertOneLineError(predict(folder, input), meta + ": classNames lists 2 names for numClasses 3");

    Files.writeString(meta, good.replace("\"variables.index\"", "\"../../etc/passwd\""));
    assertOneLineError(predict(folder, input), "foreign file name '../../etc/passwd'");
  }

  @Test
  void hostileNpyInputsAreOneLine() throws Exception {
    assertOneLineError(predict(pristine, Path.of("/dev/zero")), "/dev/zero: is not a regular file");
    Path fifo = dir.resolve("fifo.npy");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertOneLineError(predict(pristine, fifo), fifo + ": is not a regular file");
    assertOneLineError(predict(pristine, dir), dir + ": is a directory");
    assertOneLineError(predict(pristine, dir.resolve("none.npy")), dir.resolve("none.npy") + ": no such file");
    Path text = Files.writeString(dir.resolve("bad.npy"), "\u0093NUMPY\u0001\u0000F\u0000{'descr': '<f4', "
        + "'fortran_order': False, 'shape': (1, 32, 32, 3x), }         \n", StandardCharsets.ISO_8859_1);
    assertOneLineError(predict(pristine, text), text + ": malformed .npy header");
  }

  /**
   * eval's --output is a file: a folder there, or a file where its folder should be, is refused before the model is
   * built (it failed after the metrics, leaving NAME.tmp beside the folder).
   */
  @Test
  void evalRefusesAnOutputOfTheWrongKindBeforeEvaluating() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("exp"));
    Path missingData = dir.resolve("no-data");
    CliTest.Outcome intoFolder = CliTest.run("eval", "--checkpoint", pristine.toString(), "--data",
        missingData.toString(), "--output", folder.toString());
    assertOneLineError(intoFolder, folder + ": is a folder, not a file");
    assertThat(intoFolder.out()).doesNotContain("top-1");
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertOneLineError(CliTest.run("eval", "--checkpoint", pristine.toString(), "--data", missingData.toString(),
        "--output", file.resolve("cm.png").toString()), file + ": is a file, not a folder");
    // the data next, before the model is built
    assertOneLineError(CliTest.run("eval", "--checkpoint", pristine.toString(), "--data", missingData.toString(),
        "--output", dir.resolve("cm.png").toString()), "data folder " + missingData + " does not exist");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("exp", "afile");
    }
  }
}
