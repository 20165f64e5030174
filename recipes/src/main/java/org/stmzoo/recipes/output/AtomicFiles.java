package org.stmzoo.recipes.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes that a crash cannot leave half done: into a temporary sibling, flushed to disk, then renamed over the
 * target. The flushes (fsync of every file, and of the folders whose entries change) make the rename's order hold
 * after a power loss too: without them a file system may persist the rename before the data it names.
 */
public final class AtomicFiles {
  /** Writes the content of one file or folder at the given temporary path. */
  @FunctionalInterface
  public interface Writer {
    void write(Path temporary) throws IOException;
  }

  private AtomicFiles() {}

  /** A file: written to {@code NAME.tmp}, flushed, then moved atomically over {@code target}. */
  public static void write(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    writeOrDelete(tmp, () -> {
      writer.write(tmp);
      forceFile(tmp);
    });
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * A folder: written to {@code .NAME.tmp} and flushed; the old folder is renamed to {@code .NAME.old}, the new
   * one into place, and the old one deleted once the renames are on disk. If the process dies between the two
   * renames, {@link #recover} finds {@code .NAME.old} intact.
   */
  public static void writeFolder(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteRecursively(tmp);
    writeOrDelete(tmp, () -> {
      Files.createDirectories(tmp);
      writer.write(tmp);
      forceTree(tmp);
    });
    deleteRecursively(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    // until the new folder's name is durable, the old one is what a power loss leaves to recover
    forceDirectory(target.toAbsolutePath().getParent());
    deleteRecursively(old);
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs {@code write}; if it fails, removes what it left at {@code tmp} (the target is untouched) and rethrows. */
  private static void writeOrDelete(Path tmp, Step write) throws IOException {
    try {
      write.run();
    } catch (IOException | RuntimeException | Error e) {
      try {
        deleteRecursively(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** Puts back {@code .NAME.old} when a crash left no {@code NAME}. */
  public static void recover(Path target) throws IOException {
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    if (!Files.exists(target) && Files.exists(old)) {
      Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Flushes every file under {@code folder}, then the folders themselves (their entries), deepest first. */
  private static void forceTree(Path folder) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(folder)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        forceDirectory(p);
      } else {
        forceFile(p);
      }
    }
  }

  private static void forceFile(Path file) throws IOException {
    // opened for writing (without truncating): Windows flushes only a file opened with write access
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /**
   * Flushes a folder's entries (files created or renamed in it). Some platforms refuse to open a folder as a
   * channel (Windows) or to flush one (some network file systems); there the rename is as durable as the file
   * system makes it, and the error is ignored.
   */
  private static void forceDirectory(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException refused) {
      // not supported here: see above
    }
  }
}
