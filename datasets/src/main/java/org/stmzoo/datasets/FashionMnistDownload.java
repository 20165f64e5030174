package org.stmzoo.datasets;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stmzoo.datasets.download.DownloadFailedException;
import org.stmzoo.datasets.download.FileMutex;
import org.stmzoo.datasets.download.HttpTransfer;
import org.stmzoo.datasets.download.TransferLimits;
import org.stmzoo.layers.io.DurableFiles;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.Sha256;

/**
 * Downloads the four gzipped Fashion-MNIST files into a cache folder once, each checked against its SHA-256
 * before it is moved (atomically, after a sync to storage) into place. A file already present is checked against
 * its SHA-256 again on each use ({@link #checkCached}: 30 MB, a fraction of a second), and fetched again if it
 * differs: a file damaged or replaced in the cache is found before training starts, named in one line.
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

  /** The largest official file is 26 MB; nothing bigger is accepted from the server. */
  static final long MAX_FILE_BYTES = 64L << 20;

  public static FashionMnistDownload official() {
    return new FashionMnistDownload(OFFICIAL_BASE, OFFICIAL_SHA256);
  }

  /** What to do when the official files cannot be fetched. */
  public static final String REMEDY = "install Debian's package (apt-get install -y dataset-fashion-mnist), give a"
      + " folder holding the four files (--data fashion-mnist:FOLDER), or use the embedded subset"
      + " (--data " + FashionMnist.DEMO_SPEC + ")";

  /**
   * Fetches every file of {@link #sha256ByFile} that {@code folder} does not hold yet, or holds with another
   * SHA-256 (damaged or replaced).
   */
  public void downloadInto(Path folder) throws IOException {
    downloadInto(folder, new HttpTransfer(TransferLimits.defaults()));
  }

  /** As {@link #downloadInto(Path)}, with the given transfer limits. */
  public void downloadInto(Path folder, HttpTransfer http) throws IOException {
    Files.createDirectories(folder);
    for (Map.Entry<String, String> file : sha256ByFile.entrySet()) {
      Path target = folder.resolve(file.getKey());
      if (isVerified(target, file.getValue())) {
        continue;
      }
      // another process filling the same folder would write the same .part: one at a time, then look again
      try (FileMutex held = FileMutex.beside(target,
          lock -> System.err.println("Waiting for another download of " + target + " (" + lock + ")"))) {
        if (!isVerified(target, file.getValue())) {
          if (Files.isRegularFile(target)) {
            System.err.println("The cached " + target + " is not the official file (another SHA-256): downloading"
                + " it again");
          }
          fetch(http, baseUrl.resolve(file.getKey()), target, file.getValue());
        }
      }
    }
  }

  /**
   * Checks the files of {@link #sha256ByFile} that {@code folder} holds against their SHA-256, as each use of the
   * cache does: when one differs (damaged, or replaced since it was downloaded), fetches it again if
   * {@code download} allows, else refuses it.
   *
   * @throws InputFileException naming the first file that differs, when {@code download} is off
   */
  public void checkCached(Path folder, boolean download) throws IOException {
    checkCached(folder, download, new HttpTransfer(TransferLimits.defaults()));
  }

  /** As {@link #checkCached(Path, boolean)}, with the given transfer limits. */
  public void checkCached(Path folder, boolean download, HttpTransfer http) throws IOException {
    if (download) {
      downloadInto(folder, http); // hashes each file once and fetches only those that differ
      return;
    }
    for (Map.Entry<String, String> file : sha256ByFile.entrySet()) {
      Path target = folder.resolve(file.getKey());
      if (!isVerified(target, file.getValue())) {
        throw new InputFileException(target, "is not the official Fashion-MNIST file (its SHA-256 differs:"
            + " damaged, or replaced since it was downloaded); delete it, or allow the download to fetch it"
            + " again; files of your own are read unchecked from --data fashion-mnist:FOLDER");
      }
    }
  }

  private static boolean isVerified(Path file, String sha256) throws IOException {
    return Files.isRegularFile(file) && Sha256.ofFile(file).equalsIgnoreCase(sha256);
  }

  /** Into {@code FILE.part}, moved into place only when its SHA-256 matches; a failure leaves no file behind. */
  private static void fetch(HttpTransfer http, URI url, Path target, String expectedSha256) throws IOException {
    System.err.println("Downloading " + url + " -> " + target);
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    try {
      http.get(url, partial, 0, null, MAX_FILE_BYTES, new HttpTransfer.Listener() { });
      DurableFiles.syncFile(partial); // on storage before the rename publishes it
      String actual = Sha256.ofFile(partial);
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new DownloadFailedException(url.toString(), "SHA-256 mismatch: expected " + expectedSha256 + ", got "
            + actual + " (file discarded)");
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      DurableFiles.syncDirectory(target.getParent());
    } catch (DownloadFailedException e) {
      throw e.withRemedy(REMEDY);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
