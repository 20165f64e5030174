package org.stmzoo.zoo.pretrained;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.stmzoo.datasets.download.FileMutex;
import org.stmzoo.recipes.output.AtomicFiles;

/**
 * The cache's lock file ({@code $STMZOO_HOME/weights.lock}, JSON): for every weight file whose checksum upstream
 * does not publish, the size and SHA-256 it had when it was first downloaded complete (trust on first use, as
 * package managers' lock files do). A later download or cached copy that differs is refused; {@code download TAG
 * --sha256 HEX} replaces a pin with a checksum the user vouches for.
 */
public final class WeightLock {
  /**
   * @param how "first download", "first use of a cached file" or "accepted with --sha256"
   * @param pinnedAt ISO-8601 instant
   */
  public record Pin(long size, String sha256, String tag, String url, String pinnedAt, String how) {}

  private record Document(int formatVersion, Map<String, Pin> files) {}

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Path file;

  public WeightLock(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The pin of the weight file named {@code fileName}, if it has one. */
  public Optional<Pin> get(String fileName) throws IOException {
    return Optional.ofNullable(read().get(fileName));
  }

  /** Every pin, by file name. */
  public Map<String, Pin> all() throws IOException {
    return Map.copyOf(read());
  }

  /**
   * Records (or replaces) the pin of {@code fileName}; the file is rewritten whole, flushed and renamed into place
   * ({@link AtomicFiles#write}), under a {@link FileMutex} so that processes pinning different files at once do not
   * drop each other's pins.
   */
  public void put(String fileName, Pin pin) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (FileMutex held = FileMutex.beside(file, waiting -> { })) {
      Map<String, Pin> pins = new TreeMap<>(read());
      pins.put(fileName, pin);
      AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), new Document(1, pins)));
    }
  }

  private Map<String, Pin> read() throws IOException {
    if (!Files.exists(file)) {
      return Map.of();
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": the weights lock file is not a regular file");
    }
    try {
      Document doc = JSON.readValue(file.toFile(), Document.class);
      if (doc == null || doc.files() == null) {
        return Map.of();
      }
      for (Map.Entry<String, Pin> e : doc.files().entrySet()) {
        Pin p = e.getValue();
        if (p == null || p.sha256() == null || !p.sha256().matches("[0-9a-f]{64}") || p.size() <= 0) {
          throw new IOException(file + ": the pin of " + e.getKey() + " lacks a size or a 64-digit SHA-256;"
              + " fix or delete the lock file");
        }
      }
      return doc.files();
    } catch (JacksonException e) {
      throw new IOException(file + ": not a weights lock file (" + e.getOriginalMessage() + "); fix or delete it");
    }
  }
}
