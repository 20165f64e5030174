package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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
import org.junit.jupiter.api.AfterEach;
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

  @AfterEach
  void locksAgain() {
    VersionStaging.locking = FileChannel::tryLock;
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
    unchangedFor25Hours(old);

    List<Leftover> leftovers = VersionStaging.removeAbandoned(dir);

    assertThat(leftovers).containsExactly(
        new Leftover(old, 2_500_000, true, "removed " + old + " (2.5 MB), left by an export that did not finish"
            + " (it has no lock file; unchanged for 25 h)"),
        new Leftover(recent, 999, false, "left " + recent + " (999 bytes): it has no lock file, so an export (by an"
            + " older stmzoo, or where file locks are not supported) may still be writing it (changed 0 min ago); it"
            + " is removed once unchanged for 24 h, or delete it by hand if no such export is running"));
    assertThat(names(dir)).containsExactly(".2-incomplete-recent");
  }

  @Test
  void whereFileLocksAreNotSupportedTheExportWritesWithoutOneAndSaysSoOnce() throws IOException {
    locksFailWith("Function not implemented");
    Path live = staging(".4-incomplete-live", true, 10);
    Path other = staging(".4-incomplete-other", true, 20);
    List<String> whileWriting = new ArrayList<>();

    List<String> notes = new ArrayList<>();
    Path version = SavedModelExporter.writeAtomically(dir.resolve("5"), notes::add, staging -> {
      Files.writeString(staging.resolve("saved_model.pb"), "graph");
      whileWriting.addAll(names(dir));
      return dir.resolve("5");
    });

    assertThat(version.resolve("saved_model.pb")).hasContent("graph");
    assertThat(names(version)).containsExactly("saved_model.pb");
    String staging = whileWriting.stream().filter(name -> name.startsWith(".5-")).findFirst().orElseThrow();
    assertThat(whileWriting).containsExactly(".4-incomplete-live", ".4-incomplete-live.lock", ".4-incomplete-other",
        ".4-incomplete-other.lock", staging); // no lock file for the folder written without a lock
    // the folders whose lock could not be tried are left, and the lock failure is told once
    assertThat(notes).hasSize(3);
    assertThat(notes.get(0)).startsWith("left " + live + " (10 bytes): file locks are not supported here, so an"
        + " export");
    assertThat(notes.get(1)).startsWith("left " + other + " (20 bytes): file locks are not supported here");
    assertThat(notes.get(2)).isEqualTo("file locks are not supported in " + base + " (Function not implemented), so"
        + " an export there writes without one, and staging folders left there by exports that did not finish are"
        + " removed only once unchanged for 24 h");
    assertThat(names(dir)).containsExactly(".4-incomplete-live", ".4-incomplete-live.lock", ".4-incomplete-other",
        ".4-incomplete-other.lock", "5");
    assertThat(live.resolve("file0")).hasSize(10);
  }

  @Test
  void aFolderWhoseLockCannotBeTriedIsRemovedOnlyOnceUnchangedForADay() throws IOException {
    locksFailWith("No locks available");
    Path old = staging(".1-incomplete-old", true, 300);
    Path recent = staging(".2-incomplete-recent", true, 10);
    unchangedFor25Hours(old);

    List<IOException> failures = new ArrayList<>();
    List<Leftover> leftovers = VersionStaging.removeAbandoned(dir, failures::add);

    assertThat(leftovers).extracting(Leftover::folder, Leftover::removed).containsExactly(
        tuple(old, true), tuple(recent, false));
    assertThat(leftovers.get(0).note()).isEqualTo("removed " + old + " (300 bytes), left by an export that did not"
        + " finish (file locks are not supported here; unchanged for 25 h)");
    assertThat(failures).extracting(IOException::getMessage).containsExactly("No locks available",
        "No locks available");
    assertThat(names(dir)).containsExactly(".2-incomplete-recent", ".2-incomplete-recent.lock");
    assertThat(recent.resolve("file0")).hasSize(10);
  }

  @Test
  void hiddenFoldersNotNamedAsAStagingFolderAreLeftAlone() throws IOException {
    List<String> others = List.of(".cache-incomplete-Notes", ".cache-incomplete-my_notes", ".cache-incomplete-v1.2",
        ".cache-incomplete-", ".-incomplete-abc", ".cache-incomplete-0123456789abcd", ".cache-incomplete-abc.lock.d",
        ".backup-incomplete-old", ".v2-incomplete-abc", ".backup-incomplete-old.lock");
    for (String name : others) {
      unchangedFor25Hours(staging(name, false, 5));
    }
    Files.createFile(base.resolve(".notes-incomplete-a b.lock"));
    Path ours = staging(".3-incomplete-3w5e11264sgsf", false, 7);
    unchangedFor25Hours(ours);

    assertThat(VersionStaging.removeAbandoned(dir)).extracting(Leftover::folder).containsExactly(ours);
    List<String> left = new ArrayList<>(others);
    left.add(".notes-incomplete-a b.lock");
    assertThat(names(dir)).containsExactlyInAnyOrderElementsOf(left);
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

  /** Acts as a file system that refuses locks, with this error (as errno's text). */
  private static void locksFailWith(String message) {
    VersionStaging.locking = channel -> {
      throw new IOException(message);
    };
  }

  /** Dates {@code folder} and its {@code file0} 25 hours back. */
  private static void unchangedFor25Hours(Path folder) throws IOException {
    FileTime dayAndHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(25)));
    Files.setLastModifiedTime(folder.resolve("file0"), dayAndHourAgo);
    Files.setLastModifiedTime(folder, dayAndHourAgo);
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
