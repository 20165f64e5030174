package org.stmzoo.zoo.analysis;

import java.util.HashMap;
import java.util.Map;

/**
 * Class-stratified samples ({@link AnalysisImages#stratifiedSample}) drawn once per images object, size and seed.
 * The sample is a function of the images' labels, the size and the seed, so the models and analyses that read the
 * same images object (a dataset's, which every model reads as it is) read the same sample; drawing it again for
 * each would only read every label again. A normalised batch, mapped back for each model into an object of its
 * own, is drawn from for each model.
 */
public final class StratifiedSamples {
  /** Images compare by identity (their classes do not override equals): the same object, the same images. */
  private record Key(AnalysisImages images, int n, long seed) {}

  private final Map<Key, AnalysisImages> drawn = new HashMap<>();

  /** The first {@code n} images of {@code all} as {@link AnalysisImages#stratifiedSample} orders them. */
  public AnalysisImages of(AnalysisImages all, int n, long seed) {
    return drawn.computeIfAbsent(new Key(all, n, seed), key -> AnalysisImages.stratifiedSample(all, n, seed));
  }
}
