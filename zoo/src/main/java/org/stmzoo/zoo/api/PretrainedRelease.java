package org.stmzoo.zoo.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * The release a {@link Weights.Pretrained} model spec names, resolved in its {@link Downloads}' catalogue but not
 * yet fetched: a caller checks what it can (the image size) before a download that could not be used.
 */
record PretrainedRelease(Downloads downloads, Downloads.Release release) {
  PretrainedRelease {
    Objects.requireNonNull(downloads, "downloads");
    Objects.requireNonNull(release, "release");
  }

  /** The release of {@code spec}, whose weights are {@link Weights.Pretrained}: an unknown tag fails here. */
  static PretrainedRelease of(ModelSpec spec) {
    Weights.Pretrained weights = (Weights.Pretrained) spec.weights();
    return new PretrainedRelease(spec.downloads(), spec.downloads().release(spec.model(), weights.tag()));
  }

  ModelEntry model() {
    return release.model();
  }

  Preprocessing preprocessing() {
    return release.entry().preprocessing();
  }

  /** The release's file in the cache, downloaded if missing (progress on standard error), with its description. */
  Fetched fetch() throws IOException {
    Path file = downloads.fetch(release, System.err);
    return new Fetched(file, "pretrained " + release.entry().tag() + " (" + file.getFileName() + ")");
  }

  /** A fetched release: its file, and how the weights are named in notes and reports. */
  record Fetched(Path file, String description) {}
}
