package org.stmzoo.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Forcing written files and directories to storage, so that a rename publishes content that a power loss or a
 * crash of the machine cannot leave empty or partial: without it the rename may reach the disk before the data.
 */
final class DurableFiles {
  private DurableFiles() {}

  /** Forces every file and directory under {@code root}, {@code root} included. */
  static void syncTree(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.toList();
    }
    for (Path p : paths) {
      sync(p);
    }
  }

  /**
   * Forces {@code path}, a file or a directory (its entries: names created or renamed in it). A directory that the
   * platform cannot open for this (Windows) is left to the platform.
   */
  static void sync(Path path) throws IOException {
    boolean directory = Files.isDirectory(path);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
    }
  }
}
