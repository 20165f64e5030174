package org.stmzoo.zoo.analysis;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Class-stratified samples ({@link AnalysisImages#stratifiedSample}) drawn once per images object, size and seed.
 * The sample is a function of the images' labels, the size and the seed, so the models and analyses that read the
 * same images object (a dataset's, which every model reads as it is) read the same sample; drawing it again for
 * each would only read every label again. A normalised batch, mapped back for each model into an object of its
 * own, is drawn from for each model.
 */
public final class StratifiedSamples {
  /**
   * Images compare by identity, even where a caller's own {@link AnalysisImages} record compares by value: equal
   * values need not read equal images (a mapped-back batch), the same object always does.
   */
  private record Key(AnalysisImages images, int n, long seed) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && images == k.images && n == k.n && seed == k.seed;
    }

    @Override
    public int hashCode() {
      return (System.identityHashCode(images) * 31 + n) * 31 + Long.hashCode(seed);
    }
  }

  private final Map<Key, AnalysisImages> drawn = new HashMap<>();
  private AnalysisImages first;

  /** The first {@code n} images of {@code all} as {@link AnalysisImages#stratifiedSample} orders them. */
  public AnalysisImages of(AnalysisImages all, int n, long seed) {
    AnalysisImages sample = drawn.computeIfAbsent(new Key(all, n, seed),
        key -> AnalysisImages.stratifiedSample(all, n, seed));
    if (first == null) {
      first = sample;
    }
    return sample;
  }

  /** The first sample drawn, the one a log or a report names; empty before any. */
  public Optional<AnalysisImages> first() {
    return Optional.ofNullable(first);
  }
}
