package org.stmzoo.zoo.pretrained;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Fetches a manifest entry into the cache: the bytes go to {@code FILE.part}, which is renamed to {@code FILE}
 * only once complete and verified, so the cache never holds a partial file under its real name. A
 * {@code .part} left by a cut connection is resumed with an HTTP Range request. A known SHA-256 that does not
 * match deletes the file and fails.
 */
public final class Downloader {
  private final WeightCache cache;
  private final HttpClient http;
  private final PrintStream progress;

  /** @param progress where the progress bar goes (stderr), or null for none */
  public Downloader(WeightCache cache, PrintStream progress) {
    this.cache = cache;
    this.progress = progress;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
  }

  /** The cached file of {@code entry}, downloading it first unless it is already there (and verified). */
  public Path fetch(PretrainedManifest.Entry entry) throws IOException {
    Path target = cache.fileFor(entry);
    if (Files.isRegularFile(target)) {
      verify(entry, target);
      return target;
    }
    if (cache.offline()) {
      throw new IllegalArgumentException(entry.tag() + " is not in the cache (" + target
          + ") and downloads are off (--offline / STMZOO_OFFLINE=1)");
    }
    Files.createDirectories(target.getParent());
    Path part = target.resolveSibling(target.getFileName() + ".part");
    List<String> failures = new ArrayList<>();
    for (String url : urls(entry)) {
      try {
        download(URI.create(url), part, entry.size());
        verify(entry, part);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
      } catch (HttpStatusException e) {
        failures.add(e.getMessage());
      }
    }
    throw new IOException("could not download " + entry.tag() + ": " + String.join("; ", failures));
  }

  private List<String> urls(PretrainedManifest.Entry entry) {
    if (cache.mirror() != null) {
      String base = cache.mirror().endsWith("/") ? cache.mirror() : cache.mirror() + "/";
      return List.of(base + entry.file());
    }
    return entry.urls();
  }

  /** Appends to {@code part} from its current length (Range), or rewrites it when the server ignores ranges. */
  private void download(URI uri, Path part, Long expectedSize) throws IOException {
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    if (have > 0) {
      request.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    int status = response.statusCode();
    if (status == 416 && have > 0) {
      response.body().close();
      return; // the .part is already complete
    }
    if (status != 200 && status != 206) {
      response.body().close();
      throw new HttpStatusException("HTTP " + status + " from " + uri);
    }
    boolean append = status == 206;
    long start = append ? have : 0;
    long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    long expected = total >= 0 ? start + total : expectedSize != null ? expectedSize : -1;
    try (InputStream in = response.body();
        OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        ProgressBar bar = progressBar(part, start, expected)) {
      byte[] buffer = new byte[1 << 16];
      long done = start;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        done += n;
        bar.stepTo(done);
      }
      if (expected >= 0 && done < expected) {
        throw new IOException("connection closed after " + done + " of " + expected + " bytes; run again to resume");
      }
    } catch (IOException e) {
      throw new IOException("download of " + uri + " was cut (" + e.getMessage() + "); " + Files.size(part)
          + " bytes kept in " + part + ", run again to resume", e);
    }
  }

  /**
   * me.tongfei's bar, redrawn at most twice a second (so logs are not flooded), in MiB with speed and ETA;
   * one that prints nothing when no progress stream was given.
   */
  private ProgressBar progressBar(Path part, long start, long expected) {
    ProgressBarBuilder builder = new ProgressBarBuilder()
        .setTaskName(part.getFileName().toString())
        .setInitialMax(expected)
        .startsFrom(start, Duration.ZERO)
        .setUnit(" MiB", 1 << 20)
        .showSpeed()
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500);
    builder.setConsumer(progress != null
        ? new ConsoleProgressBarConsumer(progress)
        : new DelegatingProgressBarConsumer(line -> { }));
    return builder.build();
  }

  /** Checks size and SHA-256 where the manifest knows them; a mismatching file is deleted. */
  private static void verify(PretrainedManifest.Entry entry, Path file) throws IOException {
    if (entry.size() != null && Files.size(file) != entry.size()) {
      Files.delete(file);
      throw new IOException(entry.tag() + ": " + file + " has " + "the wrong size (expected " + entry.size()
          + " bytes); deleted");
    }
    if (entry.sha256() == null) {
      return;
    }
    String actual = sha256(file);
    if (!actual.equalsIgnoreCase(entry.sha256())) {
      Files.delete(file);
      throw new IOException(entry.tag() + ": SHA-256 mismatch for " + file + " (expected " + entry.sha256()
          + ", got " + actual + "); the file was deleted");
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server answer that is not the file (404...): the next URL may still have it. */
  static final class HttpStatusException extends IOException {
    HttpStatusException(String message) {
      super(message);
    }
  }
}
