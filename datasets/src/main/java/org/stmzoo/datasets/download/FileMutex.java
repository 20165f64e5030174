package org.stmzoo.datasets.download;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Mutual exclusion on a file that several threads or processes may write at once: two trainings sharing one
 * cache, or a cluster's processes on one machine, downloading the same file into the same {@code FILE.part}.
 * Held as an OS lock on a lock file ({@link FileChannel#lock}, advisory, released by the OS if the process
 * dies); because the JVM holds OS locks for the whole process, threads of this process first take an in-process
 * lock on the same path. The lock file is left in place: deleting it while another process waits on it would let
 * a third one lock a new file beside the second's. Close it on the thread that acquired it (try-with-resources).
 */
public final class FileMutex implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock lock;

  private FileMutex(ReentrantLock local, FileChannel channel, FileLock lock) {
    this.local = local;
    this.channel = channel;
    this.lock = lock;
  }

  /** {@link #acquire} on {@code FILE.lock} beside {@code file}, the file it guards. */
  public static FileMutex beside(Path file, Consumer<Path> waiting) throws IOException {
    return acquire(file.resolveSibling(file.getFileName() + ".lock"), waiting);
  }

  /**
   * Waits until this thread holds {@code lockFile} (created if absent; its folder must exist). Threads that name
   * the same file by other paths (through a symbolic link to its folder, or with {@code ..}) wait for each other:
   * the in-process lock is keyed on the folder's real path.
   *
   * @param waiting told once, with {@code lockFile}, when another thread or process holds it and this call waits
   */
  public static FileMutex acquire(Path lockFile, Consumer<Path> waiting) throws IOException {
    // the JVM refuses a second OS lock on one file however it is named (OverlappingFileLockException), so the
    // in-process lock must be keyed on what the OS resolves the name to
    Path key = lockFile.toAbsolutePath().getParent().toRealPath().resolve(lockFile.getFileName());
    ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    if (local.isHeldByCurrentThread()) {
      throw new IllegalStateException(lockFile + " is already held by this thread");
    }
    if (!local.tryLock()) {
      waiting.accept(lockFile);
      local.lock();
      waiting = file -> { }; // told once
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        waiting.accept(lockFile);
        lock = channel.lock();
      }
      return new FileMutex(local, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      local.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      local.unlock();
    }
  }
}
