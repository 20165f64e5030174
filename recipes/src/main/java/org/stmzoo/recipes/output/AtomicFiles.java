package org.stmzoo.recipes.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.stmzoo.layers.io.DurableFiles;

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
    // the rename inside too: one that fails (target a folder, say) would otherwise leave NAME.tmp beside it
    writeOrDelete(tmp, () -> {
      writer.write(tmp);
      DurableFiles.syncFile(tmp);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    });
    DurableFiles.syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * A folder: written to {@code .NAME.tmp} and flushed; the old folder is renamed to {@code .NAME.old}, the new
   * one into place, and the old one deleted once the renames are on disk. If the process dies between the two
   * renames, {@link #recover} finds {@code .NAME.old} intact, and {@link #readable} finds it meanwhile. A write
   * recovers first, so that {@code .NAME.old} stays the only copy until the new folder is in place.
   */
  public static void writeFolder(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Path old = old(target);
    recover(target);
    DurableFiles.deleteTree(tmp);
    writeOrDelete(tmp, () -> {
      Files.createDirectories(tmp);
      writer.write(tmp);
      DurableFiles.syncTree(tmp);
    });
    DurableFiles.deleteTree(old);
    writeOrDelete(tmp, () -> {
      if (Files.exists(target)) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        try {
          recover(target); // the old folder back in its place; writeOrDelete removes the new one
        } catch (IOException | RuntimeException notRecovered) {
          e.addSuppressed(notRecovered); // the move's failure is the one to report
        }
        throw e;
      }
    });
    // until the new folder's name is durable, the old one is what a power loss leaves to recover
    DurableFiles.syncDirectory(target.toAbsolutePath().getParent());
    DurableFiles.deleteTree(old);
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
        DurableFiles.deleteTree(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Puts back {@code .NAME.old} when a crash left no {@code NAME}: for the folder's writer only, as its next write
   * does. A reader that renamed could land between a live writer's two renames, and make its second one fail.
   */
  public static void recover(Path target) throws IOException {
    Path old = old(target);
    if (!Files.exists(target) && Files.exists(old)) {
      Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * Where a reader finds the folder {@code target}: itself, or {@code .NAME.old} where there is no {@code NAME}
   * (a writer between its two renames, or cut off there); {@code target} where neither exists. Renames nothing.
   */
  public static Path readable(Path target) {
    Path old = old(target);
    return !Files.exists(target) && Files.exists(old) ? old : target;
  }

  private static Path old(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".old");
  }
}
