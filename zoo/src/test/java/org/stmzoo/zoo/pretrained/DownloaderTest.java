package org.stmzoo.zoo.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.zoo.registry.ModelRegistry;

/** Downloads from a loopback HTTP server that can cut a response half way and honours Range requests. */
class DownloaderTest {
  @TempDir Path home;
  private final byte[] payload = new byte[200_000];
  private final List<String> ranges = new ArrayList<>();
  private HttpServer server;
  private volatile int cutsLeft;

  @BeforeEach
  void start() throws IOException {
    new Random(7).nextBytes(payload);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/files/w.pth", this::serve);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void serve(HttpExchange ex) throws IOException {
    String range = ex.getRequestHeaders().getFirst("Range");
    ranges.add(String.valueOf(range));
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
    return new PretrainedManifest.Entry("toy.in1k", "pit-ti", List.of(url), "w.pth", (long) payload.length,
        sha256, 70.0, "test", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 0.9f, "bicubic");
  }

  private String sha() throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
  }

  private Downloader downloader(boolean offline) {
    return new Downloader(new WeightCache(home, offline, null), null);
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
  void aChecksumMismatchDeletesTheFile() {
    PretrainedManifest.Entry e = entry(url("/files/w.pth"), "00".repeat(32));
    assertThatThrownBy(() -> downloader(false).fetch(e)).isInstanceOf(IOException.class)
        .hasMessageContaining("SHA-256 mismatch");
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
    assertThat(m.get("pit-ti.in1k").urls()).singleElement().asString().endsWith("pit_ti_730.pth");
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

    Files.writeString(extra, "{\"entries\": [{\"tag\": \"x\", \"model\": \"pit-ti\", \"urls\": [],"
        + " \"file\": \"../../etc/x\", \"mean\": [0], \"std\": [1], \"interpolation\": \"bicubic\"}]}");
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STMZOO_MANIFEST=")
        .hasMessageContaining("plain name");
    Files.writeString(extra, "{\"entries\": [");
    assertThatThrownBy(() -> ModelRegistry.pretrained().extendedFrom(java.util.Map.of("STMZOO_MANIFEST", extra.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a readable pretrained manifest");
  }

  @Test
  void environment() {
    WeightCache c = WeightCache.fromEnvironment(java.util.Map.of("STMZOO_HOME", "/x", "STMZOO_OFFLINE", "1"));
    assertThat(c.home()).isEqualTo(Path.of("/x"));
    assertThat(c.offline()).isTrue();
    assertThat(WeightCache.fromEnvironment(java.util.Map.of()).home().toString()).endsWith(".cache/stmzoo");
  }
}
