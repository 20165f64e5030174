package org.stmzoo.export;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.stmzoo.layers.io.DurableFiles;

/**
 * The hidden folder {@code .NAME-incomplete-RANDOM} that {@link SavedModelExporter#writeAtomically} fills before
 * renaming it to {@code NAME}, and the removal of those that a process killed partway (kill -9, the OOM killer, a
 * power loss) left behind.
 *
 * <p>Beside each folder, not in it, lies {@code .NAME-incomplete-RANDOM.lock}, on which the writer holds an
 * exclusive OS lock ({@link FileLock}) from before the folder exists until it is renamed into place or deleted; only
 * then is the lock file deleted. The OS drops the lock when the process dies, however it dies, so a lock that can be
 * taken means that its writer is gone, and {@link #removeAbandoned} removes that folder while it holds the lock. It
 * follows that:
 * <ul>
 *   <li>the version renamed into place holds nothing but the SavedModel (TF Serving and {@code tf.saved_model.load}
 *       see a clean folder), as the lock file was never in it;</li>
 *   <li>no clean-up can delete a folder that is about to be renamed: the rename happens while the lock is held. Were
 *       the lock file inside the folder, it would have to be released and deleted before the rename, and a clean-up
 *       in that window would find the folder unlocked and delete the finished version's content;</li>
 *   <li>a folder whose lock file is missing was either already renamed or deleted (the lock file goes last), or was
 *       written by an stmzoo older than the lock files. Nothing says whether such a folder is still being written,
 *       so it is removed only once nothing in it has changed for {@link #UNLOCKED_AGE} (an export writes its folder
 *       without pause from start to rename, in minutes), and otherwise left and mentioned.</li>
 * </ul>
 *
 * <p>POSIX locks belong to the process: closing any channel on the file releases them all, even those taken through
 * another channel (a second {@link FileChannel#tryLock} in the same JVM throws {@link OverlappingFileLockException}
 * instead of answering, and closing that second channel would free the first one's lock for other processes). So
 * the lock files this JVM holds, as writer or clean-up, are also kept in {@code HELD}, and a clean-up opens no
 * channel on those.
 *
 * <p>Where the file system refuses locks (Lustre mounted without flock: "Function not implemented"; NFSv3 without
 * its lock manager: "No locks available"), {@link FileChannel#tryLock} throws an {@link IOException}. Then the
 * writer deletes its lock file and writes without one, as an older stmzoo did, and a clean-up treats a folder whose
 * lock it cannot try as one without a lock file: it is removed only once unchanged for {@link #UNLOCKED_AGE}.
 *
 * @param folder the folder to fill; rename it while this is open, then close this
 * @param lockFile beside the folder (none where file locks are not supported)
 * @param channel the lock file's, which holds its lock; null where file locks are not supported
 * @param lockFailure why the folder has no lock (file locks are not supported here), or null
 */
record VersionStaging(Path folder, Path lockFile, FileChannel channel, IOException lockFailure)
    implements Closeable {
  /** Between a staging folder's target name and its random part. */
  static final String MARKER = "-incomplete-";
  /** The lock file's name: the folder's name and this. */
  static final String LOCK_SUFFIX = ".lock";
  /** How long a staging folder without a lock file must have been left unchanged before it is removed. */
  static final Duration UNLOCKED_AGE = Duration.ofHours(24);

  /**
   * {@code .VERSION-incomplete-RANDOM} or its lock file, exactly as {@link #create} names them for a version
   * directory ({@link SavedModelExporter#versionDirectory}): VERSION is its digits and RANDOM an unsigned 64-bit
   * number in base 36, so that a user's hidden folder with {@code -incomplete-} in its name
   * ({@code .backup-incomplete-old}) is left alone.
   */
  private static final Pattern STAGING_NAME = Pattern.compile("\\.[0-9]+" + Pattern.quote(MARKER)
      + "[0-9a-z]{1,13}(" + Pattern.quote(LOCK_SUFFIX) + ")?");

  /** How a lock file's lock is tried. A test replaces it to act as a file system that refuses locks. */
  @FunctionalInterface
  interface Locking {
    FileLock tryLock(FileChannel channel) throws IOException;
  }

  static volatile Locking locking = FileChannel::tryLock;

  private static final SecureRandom NAMES = new SecureRandom();
  /** The lock files this JVM holds (real paths), so that no thread opens a second channel on one: see above. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  /**
   * A new, uniquely named, locked staging folder {@code .NAME-incomplete-RANDOM} in {@code parent} (it exists),
   * with the permissions of any directory the process creates (the umask's). Not {@link Files#createTempDirectory}:
   * on POSIX that makes it {@code rwx------}, which the rename keeps, so a TF Serving process under another user
   * could not read the version.
   */
  static VersionStaging create(Path parent, String name) throws IOException {
    Path real = parent.toRealPath(); // one name for each lock file in HELD
    while (true) {
      Path folder = real.resolve("." + name + MARKER
          + Long.toUnsignedString(NAMES.nextLong(), Character.MAX_RADIX));
      Path lockFile = lockFile(folder);
      VersionStaging staging = tryCreate(folder, lockFile);
      if (staging != null) {
        return staging;
      }
      // another name then: 64 random bits make a collision vanishingly unlikely, and a clean-up that took the
      // lock file for an orphan (see tryCreate) is as rare
    }
  }

  /** The staging at {@code folder}, or null if its name is taken. */
  private static VersionStaging tryCreate(Path folder, Path lockFile) throws IOException {
    if (!HELD.add(lockFile)) {
      return null;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      HELD.remove(lockFile);
      if (e instanceof FileAlreadyExistsException) {
        return null;
      }
      throw e;
    }
    boolean created = false;
    try {
      FileLock lock;
      try {
        lock = locking.tryLock(channel);
      } catch (IOException unsupported) {
        // No locks on this file system: a lock file nobody holds would tell a clean-up that can lock (another
        // client of the same share) that the folder is abandoned. So it goes, and the folder is written without
        // one, as an older stmzoo's, which a clean-up removes only once unchanged for UNLOCKED_AGE
        release(channel, lockFile);
        channel = null;
        Files.deleteIfExists(lockFile);
        Files.createDirectory(folder);
        created = true;
        return new VersionStaging(folder, lockFile, null, unsupported);
      }
      // A clean-up in another process may find the lock file before its folder exists, take it for the orphan of
      // a writer killed at this point, lock it and delete it; then this lock would be on a deleted file, and the
      // folder would have none. Still being there once locked means that the lock file is this one, and locked.
      if (lock != null && Files.exists(lockFile)) {
        Files.createDirectory(folder);
        created = true;
        return new VersionStaging(folder, lockFile, channel, null);
      }
      return null; // the clean-up that holds the lock file, or deleted it, is done with it
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(lockFile);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof FileAlreadyExistsException) {
        return null; // the folder's name
      }
      throw e;
    } finally {
      if (!created) {
        release(channel, lockFile);
      }
    }
  }

  /**
   * Deletes the folder if it is still here (it was not renamed: the write failed), then the lock file, then
   * releases the lock. If the folder cannot be deleted the lock file stays, so that the next export removes it.
   */
  @Override
  public void close() throws IOException {
    try {
      DurableFiles.deleteTree(folder);
      Files.deleteIfExists(lockFile);
    } finally {
      release(channel, lockFile);
    }
  }

  private static void release(FileChannel channel, Path lockFile) throws IOException {
    try {
      if (channel != null) {
        channel.close(); // releases the lock
      }
    } finally {
      HELD.remove(lockFile);
    }
  }

  private static Path lockFile(Path folder) {
    return folder.resolveSibling(folder.getFileName() + LOCK_SUFFIX);
  }

  /**
   * A staging folder that {@link #removeAbandoned} removed, or left: one without a lock file that an older stmzoo
   * may still be writing, or one it could not remove.
   *
   * @param bytes the size of the files in it
   * @param note what happened, in a line for the user
   */
  record Leftover(Path folder, long bytes, boolean removed, String note) {}

  /**
   * Removes the staging folders in {@code parent} that no export is writing any more: those whose lock file this
   * process can lock (their writer died), and those without a lock file (an older stmzoo's, or written where file
   * locks are not supported) or whose lock cannot be tried (the file system refuses locks) in which nothing changed
   * for {@link #UNLOCKED_AGE}; also lock files left without a folder. A folder that another export (another process
   * or another thread of this one) is writing is left alone, silently. Never fails: a folder that cannot be removed
   * is one more note.
   *
   * @param lockFailures told why a lock could not be tried, for each folder whose lock could not
   * @return what was removed, and the folders without a lock that were left, in name order
   */
  static List<Leftover> removeAbandoned(Path parent, Consumer<IOException> lockFailures) {
    List<Leftover> leftovers = new ArrayList<>();
    for (Path folder : stagingFolders(parent)) {
      try {
        Leftover leftover = Files.exists(lockFile(folder)) ? removeIfUnlocked(folder, lockFailures)
            : removeIfUnchanged(folder, "it has no lock file");
        if (leftover != null) {
          leftovers.add(leftover);
        }
      } catch (IOException | UncheckedIOException e) {
        IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
        if (!(cause instanceof NoSuchFileException)) { // else renamed or removed meanwhile, by its export or another
          leftovers.add(new Leftover(folder, 0, false, "could not remove " + folder + ", left by an export that did"
              + " not finish: " + cause));
        }
      }
    }
    return leftovers;
  }

  /** As {@link #removeAbandoned(Path, Consumer)}, ignoring why a lock could not be tried. */
  static List<Leftover> removeAbandoned(Path parent) {
    return removeAbandoned(parent, unsupported -> { });
  }

  /** The note for an export into {@code parent}, where a lock could not be tried. */
  static String locksUnsupported(Path parent, IOException failure) {
    return "file locks are not supported in " + parent + " (" + failure.getMessage() + "), so an export there writes"
        + " without one, and staging folders left there by exports that did not finish are removed only once"
        + " unchanged for " + duration(UNLOCKED_AGE);
  }

  /**
   * The staging folders in {@code parent}, named by their folder or by a lock file left without one: the entries
   * named as {@link #STAGING_NAME}.
   */
  private static Set<Path> stagingFolders(Path parent) {
    Set<Path> folders = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent.toRealPath(),
        entry -> STAGING_NAME.matcher(entry.getFileName().toString()).matches())) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        folders.add(name.endsWith(LOCK_SUFFIX) && !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
            ? entry.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length())) : entry);
      }
    } catch (IOException unreadable) {
      // nothing to clean up that can be seen; the export itself will say what is wrong with the folder
    }
    return folders;
  }

  /**
   * Removes {@code folder} and its lock file if the lock can be taken; null if not, or if there is no folder. Where
   * the lock cannot be tried, as {@link #removeIfUnchanged}.
   */
  private static Leftover removeIfUnlocked(Path folder, Consumer<IOException> lockFailures) throws IOException {
    Path lockFile = lockFile(folder);
    if (!HELD.add(lockFile)) {
      return null; // this JVM is writing it, or cleaning it up
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = locking.tryLock(channel);
      } catch (OverlappingFileLockException inThisJvm) {
        lock = null; // locked through another channel of this JVM: in use
      } catch (IOException unsupported) {
        lockFailures.accept(unsupported); // cannot tell whether it is in use
        return removeIfUnchanged(folder, "file locks are not supported here");
      }
      if (lock == null || !Files.exists(lockFile)) {
        return null; // in use, or its writer or another clean-up deleted it (and the folder) before this lock
      }
      if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(lockFile); // a writer killed just before creating the folder, or just after the rename
        return null;
      }
      long bytes = contents(folder).bytes();
      DurableFiles.deleteTree(folder);
      Files.delete(lockFile); // only now: with the folder half deleted, the next export tries again
      return new Leftover(folder, bytes, true, "removed " + folder + " (" + size(bytes) + "), left by an export"
          + " that did not finish (its process is gone)");
    } finally {
      HELD.remove(lockFile);
    }
  }

  /**
   * Removes {@code folder}, and its lock file if any, if nothing in it changed for a while: one without a lock (an
   * older stmzoo's, or written or found where file locks are not supported), which says {@code why}.
   */
  private static Leftover removeIfUnchanged(Path folder, String why) throws IOException {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    Contents contents = contents(folder);
    Duration unchanged = Duration.between(contents.lastModified(), Instant.now());
    if (unchanged.compareTo(UNLOCKED_AGE) < 0) {
      return new Leftover(folder, contents.bytes(), false, "left " + folder + " (" + size(contents.bytes())
          + "): " + why + ", so an export (by an older stmzoo, or where file locks are not supported) may still be"
          + " writing it (changed " + duration(unchanged) + " ago); it is removed once unchanged for "
          + duration(UNLOCKED_AGE) + ", or delete it by hand if no such export is running");
    }
    DurableFiles.deleteTree(folder);
    Files.deleteIfExists(lockFile(folder));
    return new Leftover(folder, contents.bytes(), true, "removed " + folder + " (" + size(contents.bytes())
        + "), left by an export that did not finish (" + why + "; unchanged for " + duration(unchanged) + ")");
  }

  /** The size of the files under a folder, and the latest time it or anything in it was modified. */
  private record Contents(long bytes, Instant lastModified) {}

  private static Contents contents(Path folder) throws IOException {
    long bytes = 0;
    Instant last = Instant.EPOCH;
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        bytes += attributes.isRegularFile() ? attributes.size() : 0;
        Instant modified = attributes.lastModifiedTime().toInstant();
        last = modified.isAfter(last) ? modified : last;
      }
    }
    return new Contents(bytes, last);
  }

  /** {@code 412.3 MB}: decimal units, as {@code du -h --si} and file managers print them. */
  static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes / 1000.0;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** {@code 25 h}, or {@code 12 min} under an hour. */
  private static String duration(Duration duration) {
    return duration.toHours() > 0 ? duration.toHours() + " h" : duration.toMinutes() + " min";
  }
}
