package org.stmzoo.layers.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;

/**
 * Reads a checkpoint folder's {@value CheckpointFolder#METADATA_FILE} as untrusted input: a regular file of at
 * most {@value CheckpointFolder#MAX_METADATA_BYTES} bytes, strict UTF-8, JSON whose errors are one line naming the
 * field, and every value within bounds before anything is built from it (an image size of a million would
 * otherwise allocate batches of terabytes; a class-name list shorter than the class count would fail later as an
 * index error).
 */
public final class CheckpointMetadata {
  /** Largest image side a checkpoint may declare (a model is built, and batches allocated, at that size). */
  public static final InputLimit MAX_IMAGE_SIZE = new InputLimit("stmzoo.limit.checkpoint-image-size", 1024);
  /** Most classes a checkpoint may declare (ImageNet-22k has 21,843). */
  public static final InputLimit MAX_CLASSES = new InputLimit("stmzoo.limit.checkpoint-classes", 100_000);
  private static final int MAX_CHANNELS = 4;
  private static final int MAX_TEXT = 4096;
  /** A V2 checkpoint's own file: {@code variables.index} or a data shard {@code variables.data-NNNNN-of-MMMMM}. */
  static final Pattern VARIABLES_FILE = Pattern.compile("variables\\.(index|data-\\d{5}-of-\\d{5})");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private CheckpointMetadata() {}

  /** The metadata of the checkpoint folder {@code dir}, checked. */
  static CheckpointFolder.Metadata read(Path dir) throws IOException {
    Path file = dir.resolve(CheckpointFolder.METADATA_FILE);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(dir + " is not an stmzoo checkpoint (no " + CheckpointFolder.METADATA_FILE
          + ")");
    }
    return parse(InputFiles.readAll(file, CheckpointFolder.MAX_METADATA_BYTES, "metadata files are small"), file);
  }

  /**
   * Parses and checks metadata bytes ({@code file} names them in messages).
   *
   * @throws IllegalArgumentException one line: {@code FILE: what is wrong}
   */
  public static CheckpointFolder.Metadata parse(byte[] bytes, Path file) {
    String text;
    try {
      text = InputFiles.utf8(bytes, file);
    } catch (InputFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    CheckpointFolder.Metadata m;
    try {
      m = CheckpointFolder.json().readValue(text, CheckpointFolder.Metadata.class);
    } catch (JsonProcessingException e) {
      throw invalid(file, JsonErrors.describe(e));
    }
    if (m == null) {
      throw invalid(file, "holds no JSON object");
    }
    check(m, file);
    return m;
  }

  private static void check(CheckpointFolder.Metadata m, Path file) {
    if (m.formatVersion() != CheckpointFolder.FORMAT_VERSION) {
      throw invalid(file, "formatVersion " + m.formatVersion() + " is not " + CheckpointFolder.FORMAT_VERSION
          + " (not an stmzoo checkpoint this version reads)");
    }
    if (m.model() == null || m.model().isBlank() || m.model().length() > 200) {
      throw invalid(file, "model is missing or not a model name");
    }
    long maxClasses = MAX_CLASSES.value();
    if (m.numClasses() < 1 || m.numClasses() > maxClasses) {
      throw invalid(file, "numClasses " + m.numClasses() + " is outside 1.." + maxClasses + " ("
          + MAX_CLASSES.knob() + ")");
    }
    long maxSize = MAX_IMAGE_SIZE.value();
    if (m.imageSize() < 1 || m.imageSize() > maxSize) {
      throw invalid(file, "imageSize " + m.imageSize() + " is outside 1.." + maxSize + " (" + MAX_IMAGE_SIZE.knob()
          + ")");
    }
    if (m.inChannels() < 1 || m.inChannels() > MAX_CHANNELS) {
      throw invalid(file, "inChannels " + m.inChannels() + " is outside 1.." + MAX_CHANNELS);
    }
    if (!m.classNames().isEmpty() && m.classNames().size() != m.numClasses()) {
      throw invalid(file, "classNames lists " + m.classNames().size() + " names for numClasses " + m.numClasses());
    }
    for (String name : m.classNames()) {
      if (name == null || name.length() > MAX_TEXT) {
        throw invalid(file, "classNames holds a null or over-long name");
      }
    }
    if (m.source() != null && m.source().length() > MAX_TEXT) {
      throw invalid(file, "source is over " + MAX_TEXT + " characters");
    }
    Float crop = m.evalCropPct();
    if (crop != null && !(crop > 0 && crop <= 1)) {
      throw invalid(file, "evalCropPct " + crop + " is outside (0, 1]");
    }
    CheckpointFolder.Training t = m.training();
    if (t != null && (t.step() < 0 || t.epochsDone() < 0
        || (t.evalTop1() != null && !(t.evalTop1() >= 0 && t.evalTop1() <= 100)))) {
      throw invalid(file, "training holds a negative step or epoch count, or an eval top-1 outside 0..100");
    }
    if (t != null && t.evalEma() && !t.ema()) {
      throw invalid(file, "training says its evaluations scored EMA weights (evalEma) it does not hold (ema false)");
    }
    CheckpointFolder.EpochSoFar soFar = t == null ? null : t.epochSoFar();
    if (soFar != null && (soFar.steps() < 0 || soFar.images() < 0 || !Double.isFinite(soFar.lossSum())
        || !(soFar.seconds() >= 0 && Double.isFinite(soFar.seconds())))) {
      throw invalid(file, "training.epochSoFar holds a negative count or time, or a non-finite sum");
    }
    Set<String> names = new HashSet<>();
    for (CheckpointFolder.VariablesFile v : m.variablesFiles()) {
      if (v == null || v.name() == null || !VARIABLES_FILE.matcher(v.name()).matches() || !names.add(v.name())) {
        throw invalid(file, "variablesFiles holds a missing, repeated or foreign file name"
            + (v == null || v.name() == null ? "" : " '" + printable(v.name()) + "'"));
      }
      if (v.bytes() < 0 || v.sha256() == null || !SHA256.matcher(v.sha256()).matches()) {
        throw invalid(file, "variablesFiles entry " + v.name() + " has no valid size and lower-case SHA-256");
      }
    }
    if (!m.variablesFiles().isEmpty() && !names.contains(CheckpointFolder.VARIABLES_PREFIX + ".index")) {
      throw invalid(file, "variablesFiles does not list " + CheckpointFolder.VARIABLES_PREFIX + ".index");
    }
  }

  /** A value from the file, echoed in a message: control characters (a newline) replaced, length capped. */
  private static String printable(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }

  private static IllegalArgumentException invalid(Path file, String what) {
    return new IllegalArgumentException(file + ": " + what);
  }
}
