package org.stmzoo.datasets.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileMutex} against another thread of this process and against another process (a child JVM). */
class FileMutexTest {
  @TempDir Path dir;

  /** Holds the lock file args[0] until its standard input ends (the child process of the test below). */
  public static void main(String[] args) throws Exception {
    try (FileMutex held = FileMutex.acquire(Path.of(args[0]), file -> { })) {
      System.out.println("held");
      System.out.flush();
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  @Test
  @Timeout(60)
  void anotherProcessHoldingTheFileMakesThisOneWaitUntilItLetsGo() throws Exception {
    Path lockFile = dir.resolve("w.pth.lock");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileMutexTest.class.getName(), lockFile.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("held");
      List<Path> waitedOn = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> mine = CompletableFuture.runAsync(() -> {
        try (FileMutex held = FileMutex.acquire(lockFile, waitedOn::add)) {
          assertThat(waitedOn).hasSize(1);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertThatThrownBy(() -> mine.get(700, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      assertThat(waitedOn).containsExactly(lockFile);
      child.getOutputStream().close(); // the child lets go and exits
      mine.get(20, TimeUnit.SECONDS);
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  @Timeout(30)
  void aSecondThreadWaitsForTheFirstAndAThreadCannotTakeItTwice() throws Exception {
    Path lockFile = dir.resolve("x.lock");
    List<String> events = new CopyOnWriteArrayList<>();
    FileMutex first = FileMutex.acquire(lockFile, file -> events.add("first waited"));
    assertThatThrownBy(() -> FileMutex.acquire(lockFile, file -> { })).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already held by this thread");
    Files.createDirectory(dir.resolve("sub"));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
      try (FileMutex held = FileMutex.acquire(dir.resolve("sub/../x.lock"), file -> events.add("second waited"))) {
        events.add("second held");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThatThrownBy(() -> second.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    events.add("first released");
    first.close();
    second.get(10, TimeUnit.SECONDS);
    assertThat(events).containsExactly("second waited", "first released", "second held");
    // released by both: a third takes it at once
    try (FileMutex third = FileMutex.acquire(lockFile, file -> events.add("third waited"))) {
      assertThat(events).doesNotContain("third waited");
    }
  }

  @Test
  @Timeout(30)
  void aThreadNamingTheFileThroughALinkedFolderWaitsToo() throws Exception {
    Path real = Files.createDirectory(dir.resolve("cache"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    List<String> events = new CopyOnWriteArrayList<>();
    FileMutex first = FileMutex.acquire(real.resolve("f.lock"), file -> events.add("first waited"));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
      try (FileMutex held = FileMutex.acquire(link.resolve("f.lock"), file -> events.add("second waited"))) {
        events.add("second held");
      } catch (Exception e) {
        throw new IllegalStateException(e); // OverlappingFileLockException when keyed on the path as given
      }
    });
    assertThatThrownBy(() -> second.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    events.add("first released");
    first.close();
    second.get(10, TimeUnit.SECONDS);
    assertThat(events).containsExactly("second waited", "first released", "second held");
  }
}
