package org.stmzoo.layers.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.Sha256;

/**
 * Sizes and SHA-256 digests of a checkpoint folder's {@code variables.*} files: recorded when the folder is
 * written, compared when it is read. TensorFlow itself checks only what a restore happens to touch, and reports
 * it as a multi-line runtime error; a digest makes a truncated or altered folder the same clear error everywhere.
 * The digest guards against accidents (a partial copy, a disk error, an edit), not against someone who rewrites
 * the metadata as well.
 */
final class CheckpointIntegrity {
  private CheckpointIntegrity() {}

  /** Every file of the V2 checkpoint in {@code dir}, sorted by name, with its size and digest. */
  static List<CheckpointFolder.VariablesFile> digest(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      // only the checkpoint's own files, the names the metadata may record: not TensorFlow's .tempstate* files
      // of a save in progress or killed
      files = listing.filter(p -> CheckpointMetadata.VARIABLES_FILE.matcher(p.getFileName().toString()).matches())
          .sorted().toList();
    }
    List<CheckpointFolder.VariablesFile> out = new ArrayList<>();
    for (Path file : files) {
      long size = InputFiles.requireRegularFile(file);
      out.add(new CheckpointFolder.VariablesFile(file.getFileName().toString(), size, Sha256.ofFile(file)));
    }
    return out;
  }

  /**
   * Checks the folder's files against {@code expected} (from its metadata); with none recorded (a folder older
   * than digests), only that {@code variables.index} is a regular file, so that a FIFO cannot block TensorFlow.
   *
   * @throws InputFileException naming the first file that is missing, not a regular file, of another size or
   *     with other content
   */
  static void verify(Path dir, List<CheckpointFolder.VariablesFile> expected) throws IOException {
    if (expected.isEmpty()) {
      InputFiles.requireRegularFile(dir.resolve(CheckpointFolder.VARIABLES_PREFIX + ".index"));
      return;
    }
    for (CheckpointFolder.VariablesFile recorded : expected) {
      Path file = dir.resolve(recorded.name());
      if (!Files.exists(file)) {
        throw new InputFileException(file, "missing, although the checkpoint's " + CheckpointFolder.METADATA_FILE
            + " records it (incomplete checkpoint)");
      }
      long size = InputFiles.requireRegularFile(file);
      if (size != recorded.bytes()) {
        throw new InputFileException(file, size + " bytes, but the checkpoint's " + CheckpointFolder.METADATA_FILE
            + " records " + recorded.bytes() + (size < recorded.bytes() ? " (truncated)" : " (altered)"));
      }
      if (!Sha256.ofFile(file).equals(recorded.sha256())) {
        throw new InputFileException(file, "content differs from the SHA-256 recorded in the checkpoint's "
            + CheckpointFolder.METADATA_FILE + " (altered or corrupt)");
      }
    }
  }
}
