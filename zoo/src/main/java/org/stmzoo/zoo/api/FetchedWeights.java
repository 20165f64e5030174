package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A release's file in the cache, as {@link Downloads#download} left it.
 *
 * @param file the verified file
 * @param sha256 the SHA-256 it was checked against, null when none was known before (it is pinned now)
 * @param verification how it was checked, in words, e.g. {@code SHA-256 matches the published SHA-256}
 */
public record FetchedWeights(Path file, String sha256, String verification) {
  public FetchedWeights {
    Objects.requireNonNull(file, "FetchedWeights.file");
    Objects.requireNonNull(verification, "FetchedWeights.verification");
  }
}
