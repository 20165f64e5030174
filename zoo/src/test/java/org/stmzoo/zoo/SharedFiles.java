package org.stmzoo.zoo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The read-only material in ../shared beside the checkout (reference counts, weight fixtures). */
public final class SharedFiles {
  private SharedFiles() {}

  public static Path root() {
    String configured = System.getProperty("stmzoo.shared");
    Path p = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("shared material not found at " + p.toAbsolutePath());
    }
    return p;
  }

  /** reference_name -> exact parameter count, from reference/param_counts.tsv. */
  public static Map<String, Long> referenceParameterCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(root().resolve("reference/param_counts.tsv"))) {
        if (line.startsWith("#") || line.startsWith("reference_name") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t");
        counts.put(f[0], Long.parseLong(f[1].trim()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }
}
