package org.stmzoo.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Downloads the four gzipped Fashion-MNIST files into a cache folder once, each checked against its SHA-256
 * before it is moved (atomically) into place; a file already present is not fetched again.
 */
public record FashionMnistDownload(URI baseUrl, Map<String, String> sha256ByFile) {
  /** Zalando's S3 site (HTTP only, as the project README links it). */
  public static final URI OFFICIAL_BASE = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

  /**
   * SHA-256 of the official .gz files (the ones whose MD5s the Fashion-MNIST README lists). Debian's package
   * re-compresses them, so its .gz files hash differently although the IDX contents are the same.
   */
  public static final Map<String, String> OFFICIAL_SHA256 = officialHashes();

  private static Map<String, String> officialHashes() {
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84");
    hashes.put("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845");
    hashes.put("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073");
    hashes.put("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");
    return Map.copyOf(hashes);
  }

  public static FashionMnistDownload official() {
    return new FashionMnistDownload(OFFICIAL_BASE, OFFICIAL_SHA256);
  }

  /** Fetches every file of {@link #sha256ByFile} that {@code folder} does not hold yet. */
  public void downloadInto(Path folder) throws IOException {
    Files.createDirectories(folder);
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    for (Map.Entry<String, String> file : sha256ByFile.entrySet()) {
      Path target = folder.resolve(file.getKey());
      if (!Files.isRegularFile(target)) {
        fetch(client, baseUrl.resolve(file.getKey()), target, file.getValue());
      }
    }
  }

  private static void fetch(HttpClient client, URI url, Path target, String expectedSha256) throws IOException {
    System.err.println("Downloading " + url + " -> " + target);
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    MessageDigest digest = sha256();
    try {
      HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(url).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IOException("Download of " + url + " failed: HTTP " + response.statusCode());
        }
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), digest)) {
          body.transferTo(out);
        }
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new IOException("SHA-256 mismatch for " + url + ": expected " + expectedSha256 + ", got " + actual
            + " (file discarded)");
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Download of " + url + " interrupted", e);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
