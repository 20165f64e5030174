package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.export.VersionStaging.Leftover;

/**
 * What an export does with the staging folders that earlier exports left in its parent: it removes those whose
 * writer is gone and says so, and leaves those another export (a child JVM, or this one) is writing.
 */
class VersionStagingTest {
  @TempDir
  Path dir;
  /** {@link #dir} as the clean-up names what it finds. */
  Path base;

  @BeforeEach
  void realPath() throws IOException {
    base = dir.toRealPath();
  }

  /**
   * The child JVM of the tests below. {@code hold FILE}: locks FILE, prints {@code held} and keeps the lock until
   * its standard input ends or it is killed. {@code probe FILE}: prints whether another process holds FILE's lock.
   */
  public static void main(String[] args) throws IOException {
    try (FileChannel channel = FileChannel.open(Path.of(args[1]), StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      boolean hold = args[0].equals("hold");
      System.out.println(hold ? (lock != null ? "held" : "taken") : (lock != null ? "free" : "held"));
      System.out.flush();
      if (hold) {
        System.in.transferTo(OutputStream.nullOutputStream());
      }
    }
  }

  @Test
  void aFolderWhoseWriterIsGoneIsRemovedWithItsLockFileAndReportedWithItsSize() throws IOException {
    Path dead = staging(".4-incomplete-dead", true, 1234, 5000);

    List<String> notes = new ArrayList<>();
    Path version = SavedModelExporter.writeAtomically(dir.resolve("5"), notes::add, staging -> {
      Files.writeString(staging.resolve("saved_model.pb"), "graph");
      return dir.resolve("5");
    });

    assertThat(notes).containsExactly("removed " + dead + " (6.2 kB), left by an export that did not finish (its"
        + " process is gone)");
    assertThat(names(dir)).containsExactly("5");
    assertThat(version.resolve("saved_model.pb")).hasContent("graph");
  }

  @Test
  void theVersionHoldsNoLockFileAndTheLockFileIsBesideTheFolderWhileItIsWritten() throws IOException {
    List<String> whileWriting = new ArrayList<>();
    Path version = SavedModelExporter.writeAtomically(dir.resolve("7"), note -> { }, staging -> {
      Files.createDirectory(staging.resolve("variables"));
      Files.writeString(staging.resolve("variables").resolve("variables.index"), "index");
      Files.writeString(staging.resolve("saved_model.pb"), "graph");
      whileWriting.addAll(names(dir));
      return dir.resolve("7");
    });

    String staging = whileWriting.stream().filter(name -> !name.endsWith(".lock")).findFirst().orElseThrow();
    assertThat(staging).startsWith(".7-incomplete-");
    assertThat(whileWriting).containsExactlyInAnyOrder(staging, staging + ".lock");
    assertThat(names(version)).containsExactly("saved_model.pb", "variables");
    assertThat(names(version.resolve("variables"))).containsExactly("variables.index");
    assertThat(names(dir)).containsExactly("7"); // the lock file is gone too
  }

  @Test
  void aFailedWriteLeavesNeitherItsFolderNorItsLockFile() throws IOException {
    assertThatThrownBy(() -> SavedModelExporter.writeAtomically(dir.resolve("2"), note -> { }, staging -> {
      Files.writeString(staging.resolve("saved_model.pb"), "half");
      throw new IOException("disk full");
    })).isInstanceOf(IOException.class).hasMessage("disk full");
    assertThat(names(dir)).isEmpty();
  }

  @Test
  void aFolderLockedThroughAnotherChannelOfThisJvmIsInUseAndLeftAlone() throws IOException {
    Path busy = staging(".4-incomplete-busy", true, 10);
    try (FileChannel channel = FileChannel.open(lockFile(busy), StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      // the clean-up's tryLock throws OverlappingFileLockException here, which means "in use"
      assertThat(VersionStaging.removeAbandoned(dir)).isEmpty();
      assertThat(lock.isValid()).isTrue();
    }
    assertThat(names(dir)).containsExactly(".4-incomplete-busy", ".4-incomplete-busy.lock");
    assertThat(busy.resolve("file0")).hasSize(10);
  }

  @Test
  @Timeout(60)
  void aFolderLockedByALiveProcessIsLeftAloneAndRemovedOnceThatProcessIsKilled() throws Exception {
    Path busy = staging(".9-incomplete-child", true, 300, 700);
    Process child = child("hold", lockFile(busy));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("held");

      assertThat(VersionStaging.removeAbandoned(dir)).isEmpty();
      assertThat(names(dir)).containsExactly(".9-incomplete-child", ".9-incomplete-child.lock");

      child.destroyForcibly(); // kill -9: the OS releases the lock
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(VersionStaging.removeAbandoned(dir)).containsExactly(new Leftover(busy, 1000, true, "removed "
          + busy + " (1.0 kB), left by an export that did not finish (its process is gone)"));
      assertThat(names(dir)).isEmpty();
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  @Timeout(60)
  void anExportOfThisJvmKeepsItsFolderAndItsLockWhileAnotherOneCleansUp() throws Exception {
    List<String> heldWhileWriting = new ArrayList<>();
    SavedModelExporter.writeAtomically(dir.resolve("3"), note -> { }, staging -> {
      Files.writeString(staging.resolve("saved_model.pb"), "graph");
      // what a second export, on another thread of this JVM, does first
      assertThat(VersionStaging.removeAbandoned(dir)).isEmpty();
      assertThat(staging.resolve("saved_model.pb")).hasContent("graph");
      // no second channel was opened and closed on the lock file, which would have dropped the POSIX lock
      heldWhileWriting.add(probe(lockFile(staging)));
      return null;
    });
    assertThat(heldWhileWriting).containsExactly("held");
    assertThat(dir.resolve("3").resolve("saved_model.pb")).hasContent("graph");
  }

  @Test
  void aFolderWithoutLockFileIsRemovedOnlyOnceUnchangedForADay() throws IOException {
    Path old = staging(".1-incomplete-old", false, 2_500_000);
    Path recent = staging(".2-incomplete-recent", false, 999);
    FileTime dayAndHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(25)));
    Files.setLastModifiedTime(old.resolve("file0"), dayAndHourAgo);
    Files.setLastModifiedTime(old, dayAndHourAgo);

    List<Leftover> leftovers = VersionStaging.removeAbandoned(dir);

    assertThat(leftovers).containsExactly(
        new Leftover(old, 2_500_000, true, "removed " + old + " (2.5 MB), left by an export that did not finish"
            + " (no lock file, unchanged for 25 h)"),
        new Leftover(recent, 999, false, "left " + recent + " (999 bytes): it has no lock file, so an export by an"
            + " older stmzoo may still be writing it (changed 0 min ago); it is removed once unchanged for 24 h,"
            + " or delete it by hand if no such export is running"));
    assertThat(names(dir)).containsExactly(".2-incomplete-recent");
  }

  @Test
  void aLockFileLeftWithoutItsFolderIsRemovedSilently() throws IOException {
    Files.createFile(dir.resolve(".6-incomplete-orphan.lock"));
    Files.createDirectory(dir.resolve("6"));

    assertThat(VersionStaging.removeAbandoned(dir)).isEmpty();
    assertThat(names(dir)).containsExactly("6");
  }

  @Test
  void sizesAreInDecimalUnits() {
    assertThat(VersionStaging.size(0)).isEqualTo("0 bytes");
    assertThat(VersionStaging.size(999)).isEqualTo("999 bytes");
    assertThat(VersionStaging.size(412_345_678)).isEqualTo("412.3 MB");
    assertThat(VersionStaging.size(3_200_000_000L)).isEqualTo("3.2 GB");
    assertThat(VersionStaging.size(5_000_000_000_000_000L)).isEqualTo("5000.0 TB");
  }

  /** A staging folder {@code base/name} with a file of each size, and an unlocked lock file beside it or none. */
  private Path staging(String name, boolean withLockFile, long... sizes) throws IOException {
    Path folder = Files.createDirectory(base.resolve(name));
    for (int i = 0; i < sizes.length; i++) {
      Files.write(folder.resolve("file" + i), new byte[(int) sizes[i]]);
    }
    if (withLockFile) {
      Files.createFile(lockFile(folder));
    }
    return folder;
  }

  private static Path lockFile(Path folder) {
    return folder.resolveSibling(folder.getFileName() + ".lock");
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Process child(String mode, Path lockFile) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), VersionStagingTest.class.getName(),
        mode, lockFile.toString()).redirectErrorStream(true).start();
  }

  /** {@code held} if a process other than the child holds {@code lockFile}'s lock, else {@code free}. */
  private static String probe(Path lockFile) throws IOException {
    Process child = child("probe", lockFile);
    try {
      String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      child.waitFor(20, TimeUnit.SECONDS);
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      child.destroyForcibly();
    }
  }
}
