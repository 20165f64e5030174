package org.stmzoo.zoo.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.stmzoo.datasets.download.DownloadFailedException;
import org.stmzoo.datasets.download.FileMutex;
import org.stmzoo.datasets.download.TransferLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.zoo.registry.ModelRegistry;

/** Downloads from a loopback HTTP server that can cut a response half way and honours Range requests. */
class DownloaderTest {
  @TempDir Path home;
  private byte[] payload = new byte[200_000];
  private volatile String etag = "\"v1\"";
  private final List<String> ranges = new ArrayList<>();
  private final List<String> ifRanges = new ArrayList<>();
  private HttpServer server;
  private volatile int cutsLeft;
  private volatile long delayMillis;
  private ServerSocket lengthless;
  private volatile boolean honoursRange = true;
  private volatile boolean knowsTotal = true;

  @BeforeEach
  void start() throws IOException {
    new Random(7).nextBytes(payload);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/files/w.pth", this::serve);
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.stop(0);
    if (lengthless != null) {
      lengthless.close();
    }
  }

  /**
   * A server that sends {@link #payload} without a Content-Length (Connection: close, no chunking), so that only the
   * closing connection ends a body: cut at half where {@link #cutsLeft} says; Range requests answered with 206 (the
   * Content-Range total as {@link #knowsTotal} says) or 416 past the end, or ignored ({@link #honoursRange}).
   */
  private String lengthlessServer() throws IOException {
    lengthless = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!lengthless.isClosed()) {
        try (Socket socket = lengthless.accept()) {
          serveWithoutLength(socket);
        } catch (IOException e) {
          // closed by the test, or the client gave up
        }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    return "http://127.0.0.1:" + lengthless.getLocalPort() + "/w.pth";
  }

  private void serveWithoutLength(Socket socket) throws IOException {
    BufferedReader request = new BufferedReader(new InputStreamReader(socket.getInputStream(),
        StandardCharsets.US_ASCII));
    String range = null;
    String ifRange = null;
    for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("range:")) {
        range = line.substring(6).trim();
      } else if (lower.startsWith("if-range:")) {
        ifRange = line.substring(9).trim();
      }
    }
    ranges.add(String.valueOf(range));
    ifRanges.add(String.valueOf(ifRange));
    int from = range != null && honoursRange && (ifRange == null || ifRange.equals(etag))
        ? Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1")) : -1;
    OutputStream out = socket.getOutputStream();
    String head;
    if (from >= payload.length) {
      head = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + payload.length
          + "\r\nContent-Length: 0";
    } else if (from >= 0) {
      head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (payload.length - 1) + "/"
          + (knowsTotal ? payload.length : "*");
    } else {
      head = "HTTP/1.1 200 OK";
      from = 0;
    }
    out.write((head + "\r\nETag: " + etag + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    int length = Math.max(0, payload.length - from);
    if (cutsLeft > 0) {
      cutsLeft--;
      length /= 2;
    }
    out.write(payload, Math.min(from, payload.length), length); // nothing past the end (a 416)
    out.flush();
  }

  private void serve(HttpExchange ex) throws IOException {
    try {
      Thread.sleep(delayMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String range = ex.getRequestHeaders().getFirst("Range");
    ranges.add(String.valueOf(range));
    String ifRange = ex.getRequestHeaders().getFirst("If-Range");
    ifRanges.add(String.valueOf(ifRange));
    if (ifRange != null && !ifRange.equals(etag)) {
      range = null; // the source changed since the client's partial copy: the whole new file (RFC 9110 If-Range)
    }
    if (etag != null) {
      ex.getResponseHeaders().add("ETag", etag);
    }
    int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
    int length = payload.length - from;
    if (range != null) {
      ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
    }
    ex.sendResponseHeaders(range == null ? 200 : 206, length);
    OutputStream out = ex.getResponseBody();
    if (cutsLeft > 0) {
      cutsLeft--;
      out.write(payload, from, length / 2);
      out.flush();
      ex.close(); // fewer bytes than Content-Length: the connection drops mid-body
      return;
    }
    out.write(payload, from, length);
    out.close();
  }

  private String url(String path) {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path;
  }

  private PretrainedManifest.Entry entry(String url, String sha256) {
    return entry(List.of(url), (long) payload.length, sha256, null);
  }

  private PretrainedManifest.Entry entry(List<String> urls, Long size, String sha256, String prefix) {
    return new PretrainedManifest.Entry("toy.in1k", "pit-ti", urls, "w.pth", size, sha256, prefix, 70.0, "test",
        "MIT", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 0.9f, "bicubic");
  }

  private String sha() throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
  }

  private Downloader downloader(boolean offline) {
    return new Downloader(new WeightCache(home, offline, null), null);
  }

  @Test
  @Timeout(60)
  void twoFetchesAtOnceDownloadOnceAndBothGetThePinnedFile() throws Exception {
    delayMillis = 500; // the first download is still running when the second fetch starts
    PretrainedManifest.Entry unpublished = entry(List.of(url("/files/w.pth")), null, null, null);
    List<Path> got = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(() -> {
        try {
          got.add(downloader(false).fetch(unpublished));
        } catch (Throwable e) {
          failed.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failed).isEmpty();
    assertThat(ranges).as("one request: the second fetch waited and found the file").hasSize(1);
    assertThat(got).hasSize(2).containsOnly(home.resolve("weights/w.pth"));
    assertThat(home.resolve("weights/w.pth")).hasBinaryContent(payload);
    assertThat(new WeightCache(home, false, null).lock().get("w.pth")).get()
        .extracting(WeightLock.Pin::sha256, WeightLock.Pin::how).containsExactly(sha(), "first download");
  }

  @Test
  void downloadsAndVerifies() throws Exception {
    Path file = downloader(false).fetch(entry(url("/files/w.pth"), sha()));
    assertThat(file).isEqualTo(home.resolve("weights/w.pth"));
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
  }

  @Test
  void resumesACutDownloadWithARangeRequest() throws Exception {
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(url("/files/w.pth"), sha());
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(IOException.class)
        .hasMessageContaining("run again to resume");
    Path part = home.resolve("weights/w.pth.part");
    long kept = Files.size(part);
    assertThat(kept).isPositive().isLessThan(payload.length);
    assertThat(home.resolve("weights/w.pth")).doesNotExist();

    Path file = downloader(false).fetch(e);
    assertThat(ranges).containsExactly("null", "bytes=" + kept + "-");
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);
  }

  @Test
  void aPinnedDownloadLeavesTheFileAndThePinAndNoTemporaryFiles() throws Exception {
    // the renames are flushed first (DurableFiles, AtomicFiles): no test here cuts the power, this one checks the path
    Path file = downloader(false).fetch(entry(List.of(url("/files/w.pth")), null, null, null));
    assertThat(file).hasBinaryContent(payload);
    try (java.util.stream.Stream<Path> left = Files.walk(home)) {
      assertThat(left.map(p -> home.relativize(p).toString()).filter(p -> !p.isEmpty()))
          .containsExactlyInAnyOrder("weights", "weights/w.pth", "weights/w.pth.lock", "weights.lock",
              "weights.lock.lock");
    }
    assertThat(new WeightCache(home, false, null).lock().get("w.pth")).get().extracting(WeightLock.Pin::sha256)
        .isEqualTo(sha());
  }

  @Test
  void aChecksumMismatchDeletesTheFile() {
    PretrainedManifest.Entry e = entry(url("/files/w.pth"), "00".repeat(32));
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(IOException.class)
        .hasMessageContaining("not the published SHA-256");
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
  }

  @Test
  void notFound() {
    assertThatThrownBy(() -> downloader(false).fetch(entry(url("/files/missing.pth"), null)))
        .isInstanceOf(IOException.class).hasMessageContaining("HTTP 404");
  }

  @Test
  void offlineUsesTheCacheOnly() throws Exception {
    PretrainedManifest.Entry e = entry(url("/files/w.pth"), sha());
    assertThatThrownBy(() -> downloader(true).fetch(e)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in the cache");
    assertThat(ranges).isEmpty();
    downloader(false).fetch(e);
    ranges.clear();
    assertThat(Files.readAllBytes(downloader(true).fetch(e))).isEqualTo(payload);
    assertThat(ranges).isEmpty();
  }

  @Test
  void aMirrorReplacesTheOrigin() throws Exception {
    PretrainedManifest.Entry e = entry("http://upstream.invalid/w.pth", sha());
    Path file = new Downloader(new WeightCache(home, false, url("/files")), null).fetch(e);
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);
  }

  @Test
  void theBuiltInManifestHasTheFixtureModels() {
    PretrainedManifest m = ModelRegistry.pretrained();
    assertThat(m.get("pit-ti.in1k").urls()).first().asString().endsWith("pit_ti_730.pth");
    assertThat(m.get("u-convnext-micro.in1k").top1()).isEqualTo(75.1);
    assertThat(m.entries()).allSatisfy(e -> assertThat(ModelRegistry.get(e.model()).name()).isEqualTo(e.model()));
  }

  @Test
  void aManifestFileExtendsTheBuiltInOneAndBadOnesAreNamed() throws Exception {
    Path extra = home.resolve("extra.json");
    Files.writeString(extra, "{\"formatVersion\": 1, \"entries\": [{\"tag\": \"pit-ti.in1k\", \"model\": \"pit-ti\","
        + " \"urls\": [\"http://mirror.invalid/p.pth\"], \"file\": \"p.pth\", \"top1\": 1, \"mean\": [0.5, 0.5, 0.5],"
        + " \"std\": [0.5, 0.5, 0.5], \"cropPct\": 0.9, \"interpolation\": \"bicubic\", \"comment\": \"ignored\"}]}");
    PretrainedManifest m = ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString()));
    assertThat(m.entries()).hasSize(ModelRegistry.pretrained().entries().size());
    assertThat(m.forModel("pit-ti", "in1k").file()).isEqualTo("p.pth");
    assertThat(m.forModel("pit-ti", "pit-ti.in1k").preprocessing().cropPct()).isEqualTo(0.9f);
    assertThatThrownBy(() -> m.forModel("pit-ti", "in22k")).hasMessageContaining("it has pit-ti.in1k");

    Files.writeString(extra, manifestWith("\"../../etc/x\"", ""));
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STMZOO_MANIFEST=")
        .hasMessageContaining("plain name");
    Files.writeString(extra, "{\"entries\": [");
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a readable pretrained manifest");
  }

  /** A manifest entry with {@code file} and {@code sha256} as given (JSON text, quoted or null). */
  private String manifestWith(String file, String sha256Fields) {
    return "{\"formatVersion\": 1, \"entries\": [{\"tag\": \"x.in1k\", \"model\": \"pit-ti\","
        + " \"urls\": [\"http://mirror.invalid/p.pth\"], \"file\": " + file + sha256Fields + ", \"top1\": 1,"
        + " \"mean\": [0.5, 0.5, 0.5], \"std\": [0.5, 0.5, 0.5], \"cropPct\": 0.9, \"interpolation\": \"bicubic\"}]}";
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {".", "..", "p.pth.part", "p.pth.lock", "p.pth.part.source",
      "p.pth.rejected-0123456789abcdef"})
  void aManifestFileNamingTheCacheFolderOrItsSideFilesIsRefused(String file) throws Exception {
    Path extra = home.resolve("extra.json");
    Files.writeString(extra, manifestWith("\"" + file + "\"", ""));
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STMZOO_MANIFEST=")
        .hasMessageContaining("file must be a plain name, not '" + file + "'");
  }

  @Test
  void aManifestRepeatingAKeyIsRefusedInOneLine() throws Exception {
    Path extra = home.resolve("extra.json");
    // the second sha256 would silently turn a pinned checksum into trust on first use
    Files.writeString(extra, manifestWith("\"p.pth\"", ", \"sha256\": \"" + "a".repeat(64) + "\", \"sha256\": null"));
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Duplicate field 'sha256'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("[Source:")
            .doesNotContain("org.stmzoo").doesNotContain("through reference chain"));
    // a constructor's refusal arrives wrapped by Jackson: still one line without class names
    Files.writeString(extra, manifestWith("\"p.pth\"", ", \"sha256\": \"XYZ\""));
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256 must be 64 lower-case hex digits")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("org.stmzoo")
            .doesNotContain("through reference chain"));
  }

  @Test
  void environment() {
    WeightCache c = WeightCache.fromEnvironment(java.util.Map.of("STMZOO_HOME", "/x", "STMZOO_OFFLINE", "1"));
    assertThat(c.home()).isEqualTo(Path.of("/x"));
    assertThat(c.offline()).isTrue();
    assertThat(WeightCache.fromEnvironment(java.util.Map.of()).home().toString()).endsWith(".cache/stmzoo");
  }

  private Downloader fast(WeightCache cache) {
    return new Downloader(cache, null, new TransferLimits(Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofSeconds(1), 1024), Downloader.DEFAULT_MAX_BYTES);
  }

  @Test
  void withoutAPublishedChecksumTheFirstDownloadIsPinnedAndALaterDifferentFileRefused() throws Exception {
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    Path file = downloader(false).fetch(e);
    WeightLock.Pin pin = new WeightCache(home, false, null).lock().get("w.pth").orElseThrow();
    assertThat(pin.sha256()).isEqualTo(sha());
    assertThat(pin.size()).isEqualTo(payload.length);
    assertThat(pin.how()).isEqualTo("first download");

    // upstream re-publishes different bytes under the same name: refused, and the cache keeps nothing
    Files.delete(file);
    byte[] first = payload.clone();
    payload = new byte[150_000];
    new Random(8).nextBytes(payload);
    etag = "\"v2\"";
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(IOException.class)
        .hasMessageContaining("not the SHA-256 pinned on " + pin.pinnedAt())
        .hasMessageContaining("./stmzoo download toy.in1k --sha256 " + sha());
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();

    // the user checked the new file and vouches for it: accepted, and the pin follows
    assertThat(Files.readAllBytes(downloader(false).fetch(e, sha()))).isEqualTo(payload);
    assertThat(new WeightCache(home, false, null).lock().get("w.pth").orElseThrow().sha256()).isEqualTo(sha());
    assertThat(new WeightCache(home, false, null).lock().get("w.pth").orElseThrow().how())
        .isEqualTo("accepted with --sha256");
    assertThatThrownBy(() -> downloader(false).fetch(e, "12")).hasMessageContaining("64 hex digits");

    // a cached copy altered afterwards is refused on its next use
    Files.write(home.resolve("weights/w.pth"), first);
    assertThatThrownBy(() -> downloader(true).fetch(e)).hasMessageContaining("the cached")
        .hasMessageContaining("pinned");
  }

  @Test
  void offlineACachedFileThatFailsItsPinIsMovedAsideAndTheSuggestedSha256PutsItBack() throws Exception {
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    downloader(false).fetch(e);
    // upstream re-published the file; without network here, the new one was copied into the cache by hand
    byte[] republished = new byte[150_000];
    new Random(8).nextBytes(republished);
    Files.write(home.resolve("weights/w.pth"), republished);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(republished));
    Path aside = home.resolve("weights/w.pth.rejected-" + sha.substring(0, 16));
    ranges.clear();

    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> downloader(true).fetch(e));
    assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining("not the SHA-256 pinned on")
        .hasMessageContaining("it was moved to " + aside)
        .hasMessageEndingWith("accept it with ./stmzoo download toy.in1k --sha256 " + sha);
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
    assertThat(aside).hasBinaryContent(republished);

    // what the message suggests, offline
    String suggested = refused.getMessage().substring(refused.getMessage().lastIndexOf(' ') + 1);
    assertThat(downloader(true).fetch(e, suggested)).isEqualTo(home.resolve("weights/w.pth"))
        .hasBinaryContent(republished);
    assertThat(aside).doesNotExist();
    assertThat(new WeightCache(home, true, null).lock().get("w.pth").orElseThrow())
        .extracting(WeightLock.Pin::sha256, WeightLock.Pin::how).containsExactly(sha, "accepted with --sha256");
    assertThat(downloader(true).fetch(e)).hasBinaryContent(republished);
    assertThat(ranges).isEmpty();

    // a --sha256 that names no copy moved aside: offline, still not in the cache
    Files.delete(home.resolve("weights/w.pth"));
    assertThatThrownBy(() -> downloader(true).fetch(e, sha)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in the cache");
  }

  private static byte[] bytes(int seed) {
    byte[] bytes = new byte[1_000 + seed];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String shaOf(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** The copies of w.pth moved aside. */
  private List<Path> rejectedCopies() throws IOException {
    try (var files = Files.list(home.resolve("weights"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("w.pth.rejected-")).toList();
    }
  }

  @Test
  void aCachedFileFailingAChecksumThatSha256CannotReplaceIsDeletedNotMovedAside() throws Exception {
    Path file = home.resolve("weights/w.pth");
    Files.createDirectories(file.getParent());
    Files.write(file, bytes(1));
    assertThatThrownBy(() -> downloader(true).fetch(entry(url("/files/w.pth"), sha())))
        .hasMessageContaining("not the published SHA-256").hasMessageEndingWith("; it was deleted");
    assertThat(file).doesNotExist();

    Files.write(file, bytes(2));
    assertThatThrownBy(() -> downloader(true).fetch(entry(List.of(url("/files/w.pth")), (long) payload.length,
        null, null))).hasMessageContaining("not the " + payload.length + " of the published size")
        .hasMessageEndingWith("; it was deleted");
    assertThat(file).doesNotExist();

    // pinned, but its name's hash prefix refuses it too: --sha256 could not accept it either
    PretrainedManifest.Entry prefixed = entry(List.of(url("/files/w.pth")), null, null, sha().substring(0, 8));
    downloader(false).fetch(prefixed);
    byte[] altered = bytes(3);
    assertThat(shaOf(altered)).doesNotStartWith(sha().substring(0, 8));
    Files.write(file, altered);
    assertThatThrownBy(() -> downloader(true).fetch(prefixed)).hasMessageContaining("pinned")
        .hasMessageEndingWith("; it was deleted");
    assertThat(file).doesNotExist();
    assertThat(rejectedCopies()).isEmpty();
  }

  @Test
  void onlyTheLastCopyMovedAsideIsKeptAndAVerifiedOrAcceptedFileDeletesIt() throws Exception {
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    Path file = downloader(false).fetch(e);
    Files.write(file, bytes(1));
    assertThatThrownBy(() -> downloader(true).fetch(e)).hasMessageContaining("it was moved to");
    Files.write(file, bytes(2));
    assertThatThrownBy(() -> downloader(true).fetch(e)).hasMessageContaining("it was moved to");
    assertThat(rejectedCopies()).containsExactly(Downloader.rejected(file, shaOf(bytes(2))));

    // a verified download
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
    assertThat(rejectedCopies()).isEmpty();

    // --sha256 accepting a file copied into the cache by hand, after another was moved aside
    Files.write(file, bytes(1));
    assertThatThrownBy(() -> downloader(true).fetch(e)).hasMessageContaining("it was moved to");
    Files.write(file, bytes(2));
    assertThat(downloader(true).fetch(e, shaOf(bytes(2)))).hasBinaryContent(bytes(2));
    assertThat(rejectedCopies()).isEmpty();
  }

  @Test
  @Timeout(60)
  void aFileThatFailsItsPinIsJudgedAgainUnderTheLockBeforeItIsMovedAside() throws Exception {
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    Path file = downloader(false).fetch(e);
    WeightLock lock = new WeightCache(home, true, null).lock();
    java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
    List<Object> got = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread plain;
    // another process runs download --sha256: it has put a copy back and holds the lock until it has pinned it
    try (FileMutex held = FileMutex.beside(file, f -> { })) {
      Files.write(file, bytes(1));
      plain = new Thread(() -> {
        try {
          got.add(new Downloader(new WeightCache(home, true, null),
              new java.io.PrintStream(said, true, StandardCharsets.UTF_8)).fetch(e));
        } catch (Throwable t) {
          got.add(t);
        }
      });
      plain.start();
      for (int i = 0; i < 500 && plain.isAlive() && !said.toString(StandardCharsets.UTF_8).contains("waiting"); i++) {
        Thread.sleep(10);
      }
      assertThat(got).as("a plain run waits for the lock").isEmpty();
      assertThat(file).hasBinaryContent(bytes(1));
      lock.put("w.pth", new WeightLock.Pin(bytes(1).length, shaOf(bytes(1)), e.tag(), file.toUri().toString(),
          java.time.Instant.now().toString(), "accepted with --sha256"));
    }
    plain.join();
    assertThat(got).containsExactly(file);
    assertThat(file).hasBinaryContent(bytes(1));
    assertThat(rejectedCopies()).isEmpty();
  }

  @Test
  void aFileNameHashPrefixIsCheckedAsTorchHubDoes() throws Exception {
    PretrainedManifest.Entry good = entry(List.of(url("/files/w.pth")), null, null, sha().substring(0, 8));
    assertThat(Files.readAllBytes(downloader(false).fetch(good))).isEqualTo(payload);
    Files.delete(home.resolve("weights/w.pth"));
    Files.delete(home.resolve("weights.lock"));
    PretrainedManifest.Entry bad = entry(List.of(url("/files/w.pth")), null, null, "0badc0de");
    assertThatThrownBy(() -> downloader(false).fetch(bad)).hasMessageContaining("does not start with 0badc0de");
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
    assertThat(home.resolve("weights.lock")).doesNotExist();
    assertThat(PretrainedManifest.Entry.release("x", "deit-tiny",
        List.of("https://h/deit_tiny_patch16_224-a1311bcf.pth"), 1, "s", "l", org.stmzoo.layers.core.Preprocessing
            .imagenet()).withHashPrefixFromFileName().sha256Prefix()).isEqualTo("a1311bcf");
  }

  @Test
  void aStalePartThatAChecksumRejectsIsFetchedAgainFromZeroNeverPromoted() throws Exception {
    Files.createDirectories(home.resolve("weights"));
    byte[] stale = new byte[payload.length / 2];
    new Random(99).nextBytes(stale);
    Files.write(home.resolve("weights/w.pth.part"), stale);
    Path file = downloader(false).fetch(entry(url("/files/w.pth"), sha()));
    assertThat(ranges).containsExactly("bytes=" + stale.length + "-", "null");
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);
  }

  @Test
  void aPartOfUnknownOriginIsNotResumedWithoutAChecksum() throws Exception {
    Files.createDirectories(home.resolve("weights"));
    Files.write(home.resolve("weights/w.pth.part"), new byte[payload.length / 2]);
    Path file = downloader(false).fetch(entry(List.of(url("/files/w.pth")), null, null, null));
    assertThat(ranges).containsExactly("null");
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);
  }

  @Test
  void aCutDownloadWhoseSourceChangedRestartsInsteadOfStitching() throws Exception {
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).hasMessageContaining("run again to resume");
    assertThat(home.resolve("weights/w.pth.part.source")).content().contains("\"v1\"");

    // unchanged source: resumed with If-Range and completed
    Path file = downloader(false).fetch(e);
    assertThat(Files.readAllBytes(file)).isEqualTo(payload);

    // a changed source after a cut: the server ignores the range (If-Range), the new file arrives whole
    Files.delete(file);
    Files.delete(home.resolve("weights.lock"));
    cutsLeft = 1;
    assertThatThrownBy(() -> downloader(false).fetch(e)).hasMessageContaining("run again to resume");
    payload = new byte[180_000];
    new Random(5).nextBytes(payload);
    etag = "\"v2\"";
    ranges.clear();
    assertThat(Files.readAllBytes(downloader(false).fetch(e))).isEqualTo(payload);
    assertThat(ranges).hasSize(1).first().asString().startsWith("bytes=");
  }

  @Test
  void aCutDownloadBehindARedirectIsResumedWithIfRange() throws Exception {
    // as GitHub's release assets: each request is sent on to another signed URL of the same file
    int[] signatures = {0};
    server.createContext("/release/w.pth", ex -> {
      ex.getResponseHeaders().add("Location", "/files/w.pth?sig=" + ++signatures[0]);
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(url("/release/w.pth")), null, null, null); // no size, no checksum
    assertThatThrownBy(() -> downloader(false).fetch(e)).hasMessageContaining("run again to resume");
    long kept = Files.size(home.resolve("weights/w.pth.part"));
    assertThat(kept).isPositive().isLessThan(payload.length);

    Path file = downloader(false).fetch(e);
    assertThat(signatures[0]).isEqualTo(2);
    assertThat(ranges).containsExactly("null", "bytes=" + kept + "-");
    assertThat(ifRanges).containsExactly("null", etag);
    assertThat(file).hasBinaryContent(payload);
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part.source")).doesNotExist();
  }

  @Test
  void aBodyWithoutALengthCutAtHalfIsNotPinnedButCompletedByARangeRequest() throws Exception {
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(lengthlessServer()), null, null, null); // no size, no checksum
    Path file = downloader(false).fetch(e);
    assertThat(ranges).containsExactly("null", "bytes=" + payload.length / 2 + "-");
    assertThat(ifRanges).containsExactly("null", etag);
    assertThat(file).hasBinaryContent(payload);
    assertThat(new WeightCache(home, false, null).lock().get("w.pth")).get()
        .extracting(WeightLock.Pin::size, WeightLock.Pin::sha256).containsExactly((long) payload.length, sha());

    // a 206 whose Content-Range does not tell the total either: asked once more, the 416 confirms the end
    Files.delete(file);
    Files.delete(home.resolve("weights.lock"));
    ranges.clear();
    cutsLeft = 1;
    knowsTotal = false;
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("null", "bytes=" + payload.length / 2 + "-", "bytes=" + payload.length + "-");
  }

  @Test
  void aCompleteBodyWithoutALengthIsPinnedOnceA416ConfirmsItsEnd() throws Exception {
    Path file = downloader(false).fetch(entry(List.of(lengthlessServer()), null, null, null));
    assertThat(ranges).containsExactly("null", "bytes=" + payload.length + "-");
    assertThat(ifRanges).containsExactly("null", etag);
    assertThat(file).hasBinaryContent(payload);
    assertThat(new WeightCache(home, false, null).lock().get("w.pth")).get()
        .extracting(WeightLock.Pin::sha256, WeightLock.Pin::how).containsExactly(sha(), "first download");
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part.source")).doesNotExist();
  }

  @Test
  void aPartLongerThanTheFileIsDiscardedWithThatReasonNotAMissingLength() throws Exception {
    String url = lengthlessServer();
    PretrainedManifest.Entry e = entry(List.of(url), null, null, null); // no size, no checksum
    Path part = home.resolve("weights/w.pth.part");
    Files.createDirectories(part.getParent());
    byte[] longer = new byte[payload.length + 1_000];
    new Random(9).nextBytes(longer);
    Files.write(part, longer);
    Files.writeString(home.resolve("weights/w.pth.part.source"), url + "\n" + etag + "\n");
    // the server answers 416 with bytes */200000: it did say how long the file is
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(DownloadFailedException.class)
        .hasMessageContaining("w.pth.part holds " + longer.length + " bytes, but the server answered a request for"
            + " the bytes past them with 416 (Range Not Satisfiable) and another length for the file: discarded;"
            + " run again")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("did not say how long"));
    assertThat(ranges).containsExactly("bytes=" + longer.length + "-");
    assertThat(part).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part.source")).doesNotExist();

    // run again, as it says
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
  }

  @Test
  void aBodyWithoutALengthFromAServerIgnoringRangeIsRefusedUnlessAChecksumJudgesIt() throws Exception {
    honoursRange = false;
    cutsLeft = 1;
    String url = lengthlessServer();
    PretrainedManifest.Entry e = entry(List.of(url), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(DownloadFailedException.class)
        .hasMessageStartingWith("could not download " + url + ": the server did not say how long the file is")
        .hasMessageContaining("cannot be told from the whole file; not put into the cache")
        .hasMessageContaining("./stmzoo download toy.in1k --sha256 SHA256")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("\n"));
    assertThat(ranges).containsExactly("null", "bytes=" + payload.length / 2 + "-");
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part.source")).doesNotExist();
    assertThat(new WeightCache(home, false, null).lock().get("w.pth")).isEmpty();

    // what the message suggests: the checksum judges the file, no Range request needed
    ranges.clear();
    assertThat(downloader(false).fetch(e, sha())).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("null");
  }

  @Test
  void aCutDownloadWithoutAValidatorOrAChecksumIsNotOfferedForResumeNorKept() throws Exception {
    etag = null; // nor a Last-Modified: nothing for If-Range
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(DownloadFailedException.class)
        .hasMessageContaining("the connection closed after")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("run again to resume").doesNotContain("kept"));
    assertThat(home.resolve("weights/w.pth.part")).doesNotExist();
    assertThat(home.resolve("weights/w.pth.part.source")).doesNotExist();
    ranges.clear();
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("null");

    // a checksum judges a resumed file: then the next run resumes, and the message says so
    Files.delete(home.resolve("weights/w.pth"));
    cutsLeft = 1;
    PretrainedManifest.Entry published = entry(url("/files/w.pth"), sha());
    assertThatThrownBy(() -> downloader(false).fetch(published)).hasMessageContaining("run again to resume");
    long kept = Files.size(home.resolve("weights/w.pth.part"));
    ranges.clear();
    assertThat(downloader(false).fetch(published)).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("bytes=" + kept + "-");
  }

  /** {@code /gone}: a 404, recorded in {@link #ranges} as "gone". */
  private String gone() {
    server.createContext("/gone", ex -> {
      ranges.add("gone");
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    return url("/gone");
  }

  @Test
  void aCutDownloadFromALaterUrlIsResumedFromThatUrlFirst() throws Exception {
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(gone(), url("/files/w.pth")), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).hasMessageContaining(url("/gone") + ": HTTP 404")
        .hasMessageContaining("run again to resume");
    assertThat(ranges).containsExactly("gone", "null");
    long kept = Files.size(home.resolve("weights/w.pth.part"));

    // the first URL, tried first, would have discarded the .part (no checksum, another source)
    ranges.clear();
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("bytes=" + kept + "-");
    assertThat(ifRanges).last().isEqualTo(etag);
  }

  @Test
  void aLaterUrlThatFailsBeforeItsBodyLeavesTheCutDownloadOfAnEarlierOne() throws Exception {
    cutsLeft = 1;
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth"), gone()), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).hasMessageContaining(url("/gone") + ": HTTP 404")
        .hasMessageContaining("run again to resume");
    assertThat(ranges).containsExactly("null", "gone");
    long kept = Files.size(home.resolve("weights/w.pth.part"));
    assertThat(kept).isPositive().isLessThan(payload.length);

    ranges.clear();
    assertThat(downloader(false).fetch(e)).hasBinaryContent(payload);
    assertThat(ranges).containsExactly("bytes=" + kept + "-");
  }

  @Test
  void theSizeCapComesFromTheManifest() {
    PretrainedManifest.Entry e = entry(List.of(url("/files/w.pth")), 1000L, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(DownloadFailedException.class)
        .hasMessageContaining("announces " + payload.length + " bytes, more than the 1000 expected");
    assertThat(home.resolve("weights/w.pth")).doesNotExist();
  }

  @Test
  @Timeout(30)
  void aServerThatAcceptsAndStallsEndsInOneLineWithTheRemedies() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (Socket s = silent.accept()) {
          Thread.sleep(30_000);
        } catch (Exception ignored) {
          // closed by the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String stalled = "http://127.0.0.1:" + silent.getLocalPort() + "/w.pth";
      assertThatThrownBy(() -> fast(new WeightCache(home, false, null)).fetch(entry(stalled, null)))
          .isInstanceOf(DownloadFailedException.class)
          .hasMessageStartingWith("could not download " + stalled + ": no data for 1 s (read timeout)")
          .hasMessageContaining("--offline").hasMessageContaining("STMZOO_MIRROR")
          .hasMessageContaining("STMZOO_MANIFEST").hasMessageContaining("import --checkpoint FILE")
          .satisfies(t -> assertThat(t.toString()).doesNotContain("\n").doesNotContain("Exception"));
    }
  }

  @Test
  void everyAlternativeUrlIsTriedAndAllFailuresAreNamedOnOneLine() throws Exception {
    server.createContext("/page", ex -> {
      byte[] page = "<html>virus scan warning</html>".getBytes();
      ex.getResponseHeaders().add("Content-Type", "text/html");
      ex.sendResponseHeaders(200, page.length);
      ex.getResponseBody().write(page);
      ex.close();
    });
    PretrainedManifest.Entry e = entry(List.of(url("/page"), url("/files/w.pth")), null, sha(), null);
    assertThat(Files.readAllBytes(downloader(false).fetch(e))).isEqualTo(payload);

    Files.delete(home.resolve("weights/w.pth"));
    PretrainedManifest.Entry none = entry(List.of(url("/page"), url("/files/missing")), null, null, null);
    assertThatThrownBy(() -> downloader(false).fetch(none)).isInstanceOf(DownloadFailedException.class)
        .hasMessageStartingWith("could not download toy.in1k: " + url("/page") + ": the server sent a web page")
        .hasMessageContaining(url("/files/missing") + ": HTTP 404")
        .hasMessageContaining("--offline");
  }

  /** STMZOO_OFFLINE is a switch: its usual spellings count, and a value it does not know is refused, not "online". */
  @Test
  void stmzooOfflineTakesTheUsualSpellingsAndRefusesOthers() {
    for (String on : new String[] {"1", "true", "YES", "on"}) {
      assertThat(WeightCache.fromEnvironment(java.util.Map.of("STMZOO_OFFLINE", on)).offline()).as(on).isTrue();
    }
    for (String off : new String[] {"", "0", "false", "no", "Off"}) {
      assertThat(WeightCache.fromEnvironment(java.util.Map.of("STMZOO_OFFLINE", off)).offline()).as(off).isFalse();
    }
    assertThat(WeightCache.fromEnvironment(java.util.Map.of()).offline()).isFalse();
    assertThatThrownBy(() -> WeightCache.fromEnvironment(java.util.Map.of("STMZOO_OFFLINE", "offline")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("STMZOO_OFFLINE must be 1 or 0 (or true/false, yes/no, on/off), got 'offline'");
  }

}
