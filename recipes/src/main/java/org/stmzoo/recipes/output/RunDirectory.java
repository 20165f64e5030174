package org.stmzoo.recipes.output;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.CheckpointOps;
import org.tensorflow.Session;

/**
 * The output folder of a training run:
 * <pre>
 *   args.json            the effective configuration (model, data, classes, recipe)
 *   summary.csv          one row per epoch ({@link EpochRecord})
 *   curves.png           loss and accuracy curves
 *   tensorboard/         event files
 *   last/, best/         stmzoo checkpoint folders ({@link CheckpointFolder}): the model weights as every
 *                        inference command reads them, plus optimizer and EMA state for --resume
 * </pre>
 * Every file is replaced atomically, so a killed run leaves the previous version.
 */
public final class RunDirectory {
  public static final String ARGS = "args.json";
  public static final String SUMMARY = "summary.csv";
  public static final String PLOT = "curves.png";
  public static final String LAST = "last";
  public static final String BEST = "best";

  // NaN/Infinity (a diverged loss) are written bare and read back as numbers.
  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final Path root;

  public RunDirectory(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root);
  }

  public Path root() {
    return root;
  }

  public void writeArgs(Map<String, Object> args) throws IOException {
    writeJson(root.resolve(ARGS), args);
  }

  public Map<String, Object> readArgs() throws IOException {
    return readJson(root.resolve(ARGS));
  }

  public boolean hasArgs() {
    return Files.exists(root.resolve(ARGS));
  }

  public List<EpochRecord> readSummary() throws IOException {
    Path file = root.resolve(SUMMARY);
    List<EpochRecord> rows = new ArrayList<>();
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        if (!line.isBlank()) {
          rows.add(EpochRecord.parse(line));
        }
      }
    }
    return rows;
  }

  public void writeSummary(List<EpochRecord> rows) throws IOException {
    StringBuilder csv = new StringBuilder(EpochRecord.HEADER).append('\n');
    rows.forEach(r -> csv.append(r.csv()).append('\n'));
    AtomicFiles.write(root.resolve(SUMMARY), tmp -> Files.writeString(tmp, csv, StandardCharsets.UTF_8));
  }

  public Path plot() {
    return root.resolve(PLOT);
  }

  public Path tensorboard() {
    return root.resolve("tensorboard");
  }

  /** Saves {@code ops}' variables as checkpoint folder {@code name} ({@code last} or {@code best}), atomically. */
  public void saveCheckpoint(Session session, CheckpointOps ops, String name, CheckpointFolder.Metadata metadata)
      throws IOException {
    AtomicFiles.writeFolder(root.resolve(name), tmp -> CheckpointFolder.write(tmp, session, ops, metadata));
  }

  /**
   * Replaces the training state in checkpoint {@code name}'s metadata (an epoch's evaluation score, once it is
   * known), leaving its variables and their digests as they are: one small file written atomically instead of the
   * whole folder again. A write: it first puts back a folder a cut-off save left ({@link #recoverCheckpoints}).
   */
  public void updateTraining(String name, CheckpointFolder.Training training) throws IOException {
    Path folder = root.resolve(name);
    AtomicFiles.recover(folder);
    CheckpointFolder.Metadata metadata = CheckpointFolder.readMetadata(folder).withTraining(training);
    AtomicFiles.write(folder.resolve(CheckpointFolder.METADATA_FILE),
        tmp -> Files.writeString(tmp, CheckpointFolder.metadataJson(metadata), StandardCharsets.UTF_8));
  }

  /**
   * For the run's writer (training): puts back the checkpoint folders that a save cut off between its two renames
   * left as {@code .NAME.old} ({@link AtomicFiles#recover}). Readers leave them where they are and read them there
   * ({@link #checkpoint}): a reader's rename could land between a live trainer's two and make its save fail.
   */
  public void recoverCheckpoints() throws IOException {
    AtomicFiles.recover(root.resolve(LAST));
    AtomicFiles.recover(root.resolve(BEST));
  }

  /**
   * The checkpoint folder {@code name} as a reader finds it: {@code NAME}, or {@code .NAME.old} while a save is
   * between its two renames or was cut off there. Renames nothing (see {@link #recoverCheckpoints}).
   */
  public Path checkpoint(String name) {
    return AtomicFiles.readable(root.resolve(name));
  }

  public boolean hasCheckpoint(String name) {
    return hasCheckpoint(root, name);
  }

  /**
   * Whether the run folder {@code root} holds checkpoint {@code name}, as {@link #checkpoint} finds it (a cut-off
   * save's {@code .NAME.old} counts), without creating {@code root} as the constructor does or renaming anything.
   */
  public static boolean hasCheckpoint(Path root, String name) {
    return CheckpointFolder.isCheckpoint(AtomicFiles.readable(root.resolve(name)));
  }

  /** Checkpoint {@code name}'s metadata, its variables files verified against their digests. */
  public CheckpointFolder.Metadata checkpointMetadata(String name) throws IOException {
    return CheckpointFolder.read(checkpoint(name));
  }

  /** Where training stood in checkpoint {@code name}, from its metadata alone (its variables are not hashed). */
  public CheckpointFolder.Training checkpointTraining(String name) throws IOException {
    return CheckpointFolder.readMetadata(checkpoint(name)).training();
  }

  static void writeJson(Path file, Map<String, Object> value) throws IOException {
    AtomicFiles.write(file, tmp -> Files.writeString(tmp, JSON.writeValueAsString(value), StandardCharsets.UTF_8));
  }

  static Map<String, Object> readJson(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(file + " does not exist");
    }
    // Numbers come back as Integer/Long/Double; readers convert with Number.intValue()/longValue().
    try {
      return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8),
          new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's own message spans lines (source excerpt, location): one line naming the file instead
      throw new IllegalArgumentException(file + ": " + org.stmzoo.layers.core.JsonErrors.describe(e), e);
    }
  }
}
