package org.stmzoo.recipes.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writes that a crash cannot leave half done: into a temporary sibling, then renamed over the target. */
public final class AtomicFiles {
  /** Writes the content of one file or folder at the given temporary path. */
  @FunctionalInterface
  public interface Writer {
    void write(Path temporary) throws IOException;
  }

  private AtomicFiles() {}

  /** A file: written to {@code NAME.tmp}, then moved atomically over {@code target}. */
  public static void write(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    writer.write(tmp);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A folder: written to {@code .NAME.tmp}; the old folder is renamed to {@code .NAME.old}, the new one into
   * place, and the old one deleted. If the process dies between the two renames, {@link #recover} finds
   * {@code .NAME.old} intact.
   */
  public static void writeFolder(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteRecursively(tmp);
    Files.createDirectories(tmp);
    writer.write(tmp);
    deleteRecursively(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(old);
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
}
