package org.stmzoo.recipes.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BetaDistributionTest {
  private static final int N = 200_000;

  private static double[] draws(double alpha, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] out = new double[N];
    for (int i = 0; i < N; i++) {
      out[i] = BetaDistribution.symmetric(rng, alpha);
    }
    return out;
  }

  private static double mean(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    return sum / xs.length;
  }

  /** The unbiased sample variance. */
  private static double variance(double[] xs) {
    double m = mean(xs);
    double sum = 0;
    for (double x : xs) {
      sum += (x - m) * (x - m);
    }
    return sum / (xs.length - 1);
  }

  @Test
  void smallAlphaIsAlmostAlwaysNearZeroOrOne() {
    // Beta(0.001, 0.001) puts about a ln(99) = 0.5% of its mass in (0.01, 0.99); a sampler whose Gamma draws
    // underflow to 0 returns 0.5 for a fifth of the draws instead
    double[] xs = draws(0.001, 11);
    long middle = 0;
    for (double x : xs) {
      assertThat(x).isBetween(0.0, 1.0);
      if (x >= 0.01 && x <= 0.99) {
        middle++;
      }
    }
    assertThat((double) middle / N).isLessThan(0.02);
    assertThat(mean(xs)).isCloseTo(0.5, within(0.01)); // the sd of the mean is 0.5 / sqrt(N) = 0.0011
  }

  @Test
  void alphaOneIsUniform() {
    double[] xs = draws(1.0, 12);
    assertThat(mean(xs)).isCloseTo(0.5, within(0.005));
    assertThat(variance(xs)).isCloseTo(1.0 / 12, within(0.002));
    long belowTenth = 0;
    for (double x : xs) {
      belowTenth += x < 0.1 ? 1 : 0;
    }
    assertThat((double) belowTenth / N).isCloseTo(0.1, within(0.005));
  }

  @Test
  void largerAlphaHasTheBetaVariance() {
    // Beta(a, a) has variance 1 / (4 (2a + 1)): 1/12 at a = 1, 1/7.2 at a = 0.4 (a shape below 1: the U^(1/a) path)
    double[] xs = draws(0.4, 13);
    assertThat(mean(xs)).isCloseTo(0.5, within(0.005));
    assertThat(variance(xs)).isCloseTo(1 / (4 * (2 * 0.4 + 1)), within(0.003));
  }
}
