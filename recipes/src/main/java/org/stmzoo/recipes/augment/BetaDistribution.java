package org.stmzoo.recipes.augment;

import java.util.random.RandomGenerator;

/**
 * Beta(a, a) samples as X / (X + Y) with X, Y ~ Gamma(a, 1) (Marsaglia and Tsang's method), with X and Y kept as
 * logarithms: for a small alpha, Gamma(a) = Gamma(a + 1) * U^(1/a) underflows to 0 for most draws (U^1000 is 0
 * below U = 0.47 for a = 0.001), which made both draws 0 and the sample 0.5, where Beta(a, a) is almost always
 * near 0 or 1.
 */
final class BetaDistribution {
  private BetaDistribution() {}

  static double symmetric(RandomGenerator rng, double alpha) {
    double lx = logGamma(rng, alpha);
    double ly = logGamma(rng, alpha);
    if (lx == Double.NEGATIVE_INFINITY && ly == Double.NEGATIVE_INFINITY) {
      return 0.5; // both uniforms exactly 0 (probability 2^-106): no order to tell
    }
    // x / (x + y) = 1 / (1 + exp(ly - lx)), with the exponent kept <= 0 so that it cannot overflow
    if (lx >= ly) {
      return 1 / (1 + Math.exp(ly - lx));
    }
    double r = Math.exp(lx - ly);
    return r / (1 + r);
  }

  /** The logarithm of a Gamma(shape, 1) draw. */
  static double logGamma(RandomGenerator rng, double shape) {
    if (shape < 1) {
      // Gamma(a) = Gamma(a + 1) * U^(1/a)
      double log = logGamma(rng, shape + 1);
      return log + Math.log(rng.nextDouble()) / shape;
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double z = rng.nextGaussian();
      double v = 1 + c * z;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = rng.nextDouble();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
        return Math.log(d * v);
      }
    }
  }
}
