package org.stmzoo.layers.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of a path given on the command line, made before any work so that a mistyped path costs nothing (not a
 * whole training run or attack first). Each failure is an IllegalArgumentException whose message names the path
 * and says what it is, not only that it "cannot be accessed" or "does not exist" when it exists as the wrong kind.
 */
public final class PathChecks {
  private PathChecks() {}

  /** A folder to read, such as a data folder ({@code what}: "data folder"): it exists and is a folder. */
  public static Path existingFolder(Path folder, String what) {
    if (Files.isDirectory(folder)) {
      return folder;
    }
    throw new IllegalArgumentException(what + " " + folder
        + (Files.exists(folder) ? " is a file, not a folder" : " does not exist"));
  }

  /** A folder to write into: a folder, or nothing yet with a writable folder above it to create it in. */
  public static Path outputFolder(Path folder) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(folder + ": is a file, not a folder");
    }
    checkCreatable(folder);
    return folder;
  }

  /** A file to write (replaced if it exists): not a folder, and in a folder that exists or can be created. */
  public static Path outputFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(file + ": is a folder, not a file");
    }
    if (file.getParent() != null) { // a bare name is written in the current folder
      checkCreatable(file.getParent());
    }
    return file;
  }

  /** The nearest existing folder at or above {@code folder} is a writable folder, where the rest can be created. */
  private static void checkCreatable(Path folder) {
    // walks the path as given, so that a message names what the user typed (a relative path ends at the cwd)
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      existing = Path.of("").toAbsolutePath();
    }
    if (!Files.isDirectory(existing)) {
      throw new IllegalArgumentException(existing + ": is a file, not a folder (in " + folder + ")");
    }
    if (!Files.isWritable(existing)) {
      throw new IllegalArgumentException(existing + ": permission denied" + (existing.equals(folder) ? ""
          : " (cannot create " + folder + " in it)"));
    }
  }
}
