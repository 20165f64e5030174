package org.stmzoo.recipes.augment;

import java.util.random.RandomGenerator;

/** Beta(a, a) samples as X / (X + Y) with X, Y ~ Gamma(a, 1) (Marsaglia and Tsang's method). */
final class BetaDistribution {
  private BetaDistribution() {}

  static double symmetric(RandomGenerator rng, double alpha) {
    double x = gamma(rng, alpha);
    double y = gamma(rng, alpha);
    return x + y == 0 ? 0.5 : x / (x + y);
  }

  static double gamma(RandomGenerator rng, double shape) {
    if (shape < 1) {
      // Gamma(a) = Gamma(a + 1) * U^(1/a)
      return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
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
        return d * v;
      }
    }
  }
}
