package org.stmzoo.zoo.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.pretrained.WeightLock;

/**
 * Published weights stmzoo can download ({@link Catalogue#releases}), with how they are verified and whether the
 * cache holds them: a row of {@code ./stmzoo pretrained list}.
 *
 * @param tag what {@link Weights#pretrained} and {@code ./stmzoo download} take, e.g. {@code pit-ti.in1k}
 * @param model the registered model the weights are for
 * @param top1 the published ImageNet-1k top-1 accuracy, percent
 * @param licence the licence the weights are published under (an SPDX id where there is one), null if unknown
 * @param size the file's bytes, as published or else as pinned at the first download; null if neither is known
 * @param checksums what a downloaded file is checked against
 * @param file where the cache keeps (or will keep) the file
 * @param cached whether {@code file} is there
 */
public record ReleaseInfo(String tag, String model, double top1, String licence, Long size, Checksums checksums,
    Path file, boolean cached) {
  /**
   * The SHA-256 values a release's file is checked against; each null when there is none.
   *
   * @param sha256 the published SHA-256 (lower-case hex)
   * @param sha256Prefix the leading hex digits of the SHA-256 the file name carries (torch.hub's convention)
   * @param pinnedSha256 the SHA-256 recorded at the first download ({@link Downloads#pinFile}), for a file whose
   *     SHA-256 is not published
   */
  public record Checksums(String sha256, String sha256Prefix, String pinnedSha256) {}

  public ReleaseInfo {
    Objects.requireNonNull(tag, "ReleaseInfo.tag");
    Objects.requireNonNull(model, "ReleaseInfo.model");
    Objects.requireNonNull(checksums, "ReleaseInfo.checksums");
    Objects.requireNonNull(file, "ReleaseInfo.file");
  }

  /** {@code entry} as the cache and its pin ({@code pin}, null when the file was never pinned) find it. */
  static ReleaseInfo of(PretrainedManifest.Entry entry, WeightCache cache, WeightLock.Pin pin) {
    Long size = entry.size() != null ? entry.size() : pin != null ? Long.valueOf(pin.size()) : null;
    Path file = cache.fileFor(entry);
    return new ReleaseInfo(entry.tag(), entry.model(), entry.top1(), entry.licence(), size,
        new Checksums(entry.sha256(), entry.sha256Prefix(), pin == null ? null : pin.sha256()), file,
        Files.isRegularFile(file));
  }
}
