package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.download.HttpTransfer;
import org.stmzoo.datasets.download.TransferLimits;
import org.stmzoo.layers.io.InputFileException;

/** The download path against a loopback HTTP server serving a tiny Fashion-MNIST look-alike. */
class FashionMnistDownloadTest {
  @TempDir
  Path cache;

  private HttpServer server;
  private final Map<String, byte[]> served = new LinkedHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    byte[] image = new byte[28 * 28];
    image[0] = (byte) 200;
    for (String prefix : new String[] {"train", "t10k"}) {
      served.put(prefix + "-images-idx3-ubyte.gz", gzip(FashionMnistTest.idx(new int[] {1, 28, 28}, image)));
      served.put(prefix + "-labels-idx1-ubyte.gz", gzip(FashionMnistTest.idx(new int[] {1}, new byte[] {4})));
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] body = served.get(exchange.getRequestURI().getPath().substring(1));
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private Map<String, String> hashes() throws Exception {
    Map<String, String> hashes = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> file : served.entrySet()) {
      hashes.put(file.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.getValue())));
    }
    return hashes;
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  @Test
  void downloadsOnceWithCheckedHashesIntoTheCache() throws Exception {
    new FashionMnistDownload(base(), hashes()).downloadInto(cache);
    assertThat(requests).hasValue(4);
    FashionMnist train = FashionMnist.load(cache, FashionMnist.Split.TRAIN);
    assertThat(train.size()).isEqualTo(1);
    assertThat(train.get(0).label()).isEqualTo(4);
    assertThat(train.get(0).pixels()[0]).isEqualTo(200 / 255f);

    new FashionMnistDownload(base(), hashes()).downloadInto(cache);
    assertThat(requests).as("files already cached are not fetched again").hasValue(4);
  }

  @Test
  void aDamagedCachedFileIsFetchedAgain() throws Exception {
    new FashionMnistDownload(base(), hashes()).downloadInto(cache);
    Path labels = cache.resolve("train-labels-idx1-ubyte.gz");
    byte[] good = Files.readAllBytes(labels);
    byte[] damaged = good.clone();
    damaged[damaged.length / 2] ^= 1;
    Files.write(labels, damaged);
    new FashionMnistDownload(base(), hashes()).downloadInto(cache);
    assertThat(requests).as("only the damaged file is fetched again").hasValue(5);
    assertThat(labels).hasBinaryContent(good);
  }

  @Test
  void eachUseOfTheCacheChecksItsFiles() throws Exception {
    FashionMnistDownload download = new FashionMnistDownload(base(), hashes());
    HttpTransfer http = new HttpTransfer(TransferLimits.defaults());
    download.downloadInto(cache);
    download.checkCached(cache, false, http);
    assertThat(requests).hasValue(4);
    Path images = cache.resolve("t10k-images-idx3-ubyte.gz");
    Files.write(images, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> download.checkCached(cache, false, http)).isInstanceOf(InputFileException.class)
        .hasMessage(images + ": is not the official Fashion-MNIST file (its SHA-256 differs: damaged, or replaced"
            + " since it was downloaded); delete it, or allow the download to fetch it again; files of your own are"
            + " read unchecked from --data fashion-mnist:FOLDER");
    download.checkCached(cache, true, http);
    assertThat(requests).hasValue(5);
    assertThat(FashionMnist.load(cache, FashionMnist.Split.TEST).size()).isEqualTo(1);
  }

  @Test
  void hashMismatchFailsAndLeavesNothingBehind() throws Exception {
    Map<String, String> wrong = hashes();
    wrong.put("train-labels-idx1-ubyte.gz", "00".repeat(32));
    assertThatThrownBy(() -> new FashionMnistDownload(base(), wrong).downloadInto(cache))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("SHA-256 mismatch")
        .hasMessageContaining("train-labels-idx1-ubyte.gz");
    assertThat(cache.resolve("train-labels-idx1-ubyte.gz")).doesNotExist();
    assertThat(cache.resolve("train-labels-idx1-ubyte.gz.part")).doesNotExist();
  }

  @Test
  void httpErrorsAreReported() {
    Map<String, String> missing = Map.of("nonexistent.gz", "00".repeat(32));
    assertThatThrownBy(() -> new FashionMnistDownload(base(), missing).downloadInto(cache))
        .hasMessageContaining("HTTP 404");
    assertThat(Files.exists(cache.resolve("nonexistent.gz"))).isFalse();
  }

  @Test
  void officialHashesCoverTheFourFiles() {
    assertThat(FashionMnistDownload.OFFICIAL_SHA256).containsOnlyKeys("train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    assertThat(FashionMnistDownload.OFFICIAL_SHA256.values()).allMatch(h -> h.matches("[0-9a-f]{64}"));
  }
}
