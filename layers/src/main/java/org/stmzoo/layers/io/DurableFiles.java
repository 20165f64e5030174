package org.stmzoo.layers.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Forcing written files and folders to storage (fsync), so that a rename publishes content that a power loss or a
 * crash of the machine cannot leave empty or partial: without it a file system may persist the rename before the
 * data it names. Used by every write that ends in a rename: training's run folders, imports, exports.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** Forces every file under {@code root}, then the folders themselves (their entries), deepest first. */
  public static void syncTree(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        syncDirectory(p);
      } else {
        syncFile(p);
      }
    }
  }

  /** Forces a file's content and size to storage. */
  public static void syncFile(Path file) throws IOException {
    try (FileChannel channel = openToSync(file)) {
      channel.force(true);
    }
  }

  private static FileChannel openToSync(Path file) throws IOException {
    try {
      // opened for writing (without truncating): Windows flushes only a file opened with write access
      return FileChannel.open(file, StandardOpenOption.WRITE);
    } catch (AccessDeniedException readOnly) {
      // a read-only file (a copy of a read-only export keeps its mode): POSIX flushes it opened for reading
      return FileChannel.open(file, StandardOpenOption.READ);
    }
  }

  /**
   * Forces a folder's entries (files created or renamed in it). Some platforms refuse to open a folder as a
   * channel (Windows) or to flush one (some network file systems); there the rename is as durable as the file
   * system makes it, and the error is ignored.
   */
  public static void syncDirectory(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException refused) {
      // not supported here: see above
    }
  }

  /** Deletes {@code root} and everything under it, if it exists: the staging tree of a write that did not finish. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
