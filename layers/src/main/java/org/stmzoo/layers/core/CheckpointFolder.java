package org.stmzoo.layers.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Session;

/**
 * The one on-disk layout of an stmzoo checkpoint, whoever writes it ({@code import}, or training's {@code last/}
 * and {@code best/}):
 * <pre>
 *   variables.index, variables.data-*   TF V2 checkpoint keyed by variable path (tf.train.load_checkpoint reads it)
 *   stmzoo-checkpoint.json              {@link Metadata}: what to build to restore it
 * </pre>
 * The metadata records the size and SHA-256 of every {@code variables.*} file ({@link VariablesFile}), checked on
 * every read, so a truncated, altered or incomplete folder is one clear error for every command, not a TensorFlow
 * error (or a wrong answer) from whichever command happens to touch the damaged part. Folders written before the
 * digests existed carry none and are read unverified.
 *
 * <p>A training checkpoint also holds its training state ({@code optimizer/...}, {@code ema/...}) as extra keys of
 * the same V2 checkpoint. Inference loaders restore only the keys of their model variables, so they read the
 * model weights of either kind alike; {@code --resume} restores every key.
 */
public final class CheckpointFolder {
  public static final String METADATA_FILE = "stmzoo-checkpoint.json";
  public static final String VARIABLES_PREFIX = "variables";
  public static final int FORMAT_VERSION = 1;
  /** Key prefix of the EMA copies of the model variables in a training checkpoint. */
  public static final String EMA_PREFIX = "ema/";

  /**
   * Pretty-printed; null fields left out and unknown ones ignored, so later format additions stay readable. A key
   * given twice or a fraction where a count belongs is refused, not resolved silently (last value, truncation).
   */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .build();

  private CheckpointFolder() {}

  /**
   * What a checkpoint folder holds.
   *
   * @param model the registered model name
   * @param classNames class names in logit order, empty if unknown
   * @param source where the weights came from (a reference checkpoint file, a training run)
   * @param evalCropPct the evaluation crop fraction the weights were evaluated with (train --crop-pct), or null for
   *     the model's own; it travels with the folder, so a copied checkpoint still evaluates and exports alike
   * @param training the training state saved with the weights, or null for imported weights
   * @param variablesFiles every {@code variables.*} file with its size and digest, written by {@link #write};
   *     empty in folders written before digests existed (read unverified)
   */
  public record Metadata(int formatVersion, String model, int numClasses, int imageSize, int inChannels,
      List<String> classNames, String source, Float evalCropPct, Training training,
      List<VariablesFile> variablesFiles) {
    public Metadata {
      classNames = classNames == null ? List.of() : List.copyOf(classNames);
      variablesFiles = variablesFiles == null ? List.of() : List.copyOf(variablesFiles);
    }

    public static Metadata of(String model, int numClasses, int imageSize, int inChannels, List<String> classNames,
        String source) {
      return new Metadata(FORMAT_VERSION, model, numClasses, imageSize, inChannels, classNames, source, null, null,
          null);
    }

    public Metadata withTraining(Training state) {
      return new Metadata(formatVersion, model, numClasses, imageSize, inChannels, classNames, source, evalCropPct,
          state, variablesFiles);
    }

    public Metadata withEvalCropPct(float cropPct) {
      return new Metadata(formatVersion, model, numClasses, imageSize, inChannels, classNames, source, cropPct,
          training, variablesFiles);
    }

    Metadata withVariablesFiles(List<VariablesFile> files) {
      return new Metadata(formatVersion, model, numClasses, imageSize, inChannels, classNames, source, evalCropPct,
          training, files);
    }

    /** Whether the variables include EMA copies ({@value #EMA_PREFIX}PATH) of the model weights. */
    public boolean hasEma() {
      return training != null && training.ema();
    }
  }

  /**
   * Where training stood when the checkpoint was written.
   *
   * @param step optimizer updates done
   * @param epochsDone completed epochs
   * @param evalTop1 eval top-1 (percent) of the last completed epoch, null without validation, mid-epoch, or while
   *     (or when) the epoch's evaluation had not run: training saves {@code last} before evaluating
   * @param ema whether the checkpoint holds EMA copies of the weights
   * @param evalEma whether the run's evaluations (this {@code evalTop1}, summary.csv's eval columns, and so the
   *     choice of {@code best}) score the EMA copies rather than the live weights ({@code train --model-ema-eval});
   *     false, the live weights, in metadata written before it was recorded
   * @param epochSoFar where the checkpoint was saved in the middle of an epoch (Ctrl-C, {@code train
   *     --save-every-steps}), that epoch's running sums, which a resumed run goes on from; null at an epoch's end,
   *     and in metadata written before they were recorded (a resumed epoch's row then covers the steps after the
   *     resume only)
   */
  public record Training(long step, int epochsDone, Double evalTop1, boolean ema, boolean evalEma,
      EpochSoFar epochSoFar) {
    /** Saved at an epoch's end (or before any epoch's sums were kept): no {@link EpochSoFar}. */
    public Training(long step, int epochsDone, Double evalTop1, boolean ema, boolean evalEma) {
      this(step, epochsDone, evalTop1, ema, evalEma, null);
    }
  }

  /**
   * The running sums of an epoch saved before its end, so that a resumed run's summary.csv row covers the whole
   * epoch: its mean train loss (which, without a validation set, chooses {@code best}), images per second and
   * seconds, not only the steps after the resume.
   *
   * @param steps the steps the sums cover: the epoch's up to the save (fewer where the run that saved it had
   *     itself resumed the epoch from a checkpoint without sums)
   * @param images the images those steps trained on, over all replicas
   * @param lossSum the sum of their train losses
   * @param seconds the time they took
   */
  public record EpochSoFar(int steps, long images, double lossSum, double seconds) {
    /** The sums of an epoch before its first step. */
    public static final EpochSoFar NONE = new EpochSoFar(0, 0, 0, 0);
  }

  /**
   * One file of the V2 checkpoint ({@code variables.index}, {@code variables.data-00000-of-00001}) as written.
   *
   * @param name the file name inside the folder
   * @param bytes its size
   * @param sha256 its SHA-256, lower-case hex
   */
  public record VariablesFile(String name, long bytes, String sha256) {}

  /** Whether {@code dir} is a checkpoint folder (it has the metadata file). */
  public static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(METADATA_FILE));
  }

  /** The V2 checkpoint prefix inside {@code dir} ({@code dir/variables}). */
  public static Path prefix(Path dir) {
    return dir.resolve(VARIABLES_PREFIX).toAbsolutePath();
  }

  /** Saves {@code ops}' variables and writes {@code metadata} into {@code dir} (created if missing). */
  public static void write(Path dir, Session session, CheckpointOps ops, Metadata metadata) throws IOException {
    Files.createDirectories(dir);
    ops.save(session, prefix(dir).toString());
    Metadata withDigests = metadata.withVariablesFiles(CheckpointIntegrity.digest(dir));
    Files.writeString(dir.resolve(METADATA_FILE), metadataJson(withDigests));
  }

  /**
   * {@code metadata} as the metadata file holds it; with {@link #read}'s metadata of a folder (its digests kept),
   * what a caller that changes only the training state writes back in place of {@value #METADATA_FILE}.
   */
  public static String metadataJson(Metadata metadata) throws IOException {
    return JSON.writeValueAsString(metadata) + "\n";
  }

  /**
   * Reads and checks the checkpoint folder {@code dir}: its metadata (at most {@value #MAX_METADATA_BYTES} bytes
   * of UTF-8 JSON, every field within {@link CheckpointMetadata}'s bounds) and, when the metadata records them,
   * the size and digest of every variables file.
   *
   * @throws IllegalArgumentException one line naming the file and what is wrong with it
   */
  public static Metadata read(Path dir) throws IOException {
    Metadata metadata = CheckpointMetadata.read(dir);
    Path index = dir.resolve(VARIABLES_PREFIX + ".index");
    if (!Files.exists(index)) {
      throw new IllegalArgumentException(dir + " has no " + VARIABLES_PREFIX + ".index: incomplete checkpoint");
    }
    CheckpointIntegrity.verify(dir, metadata.variablesFiles());
    return metadata;
  }

  /**
   * The metadata of checkpoint folder {@code dir}, checked as {@link #read} checks it, without hashing the variables
   * files: for a caller that reads or updates the metadata and does not load the weights.
   */
  public static Metadata readMetadata(Path dir) throws IOException {
    return CheckpointMetadata.read(dir);
  }

  /** Largest metadata file read. */
  public static final int MAX_METADATA_BYTES = 1 << 20;

  static ObjectMapper json() {
    return JSON;
  }
}
