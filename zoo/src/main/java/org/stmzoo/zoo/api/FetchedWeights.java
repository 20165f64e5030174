package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A release's file in the cache, as {@link Downloads#download} left it.
 *
 * @param file the verified file
 * @param sha256 the SHA-256 it was checked against (published, pinned by an earlier download, or vouched for);
 *     for a release with none known before this download, the SHA-256 this download pinned (null only where nothing
 *     could be pinned)
 * @param verification how it was checked, in words, e.g. {@code SHA-256 matches the published SHA-256}, or
 *     {@code no published SHA-256: SHA-256 pinned on <when> in <pin file> by this download} for a first download
 *     of a release without one
 */
public record FetchedWeights(Path file, String sha256, String verification) {
  public FetchedWeights {
    Objects.requireNonNull(file, "FetchedWeights.file");
    Objects.requireNonNull(verification, "FetchedWeights.verification");
  }
}
