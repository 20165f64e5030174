package org.stmzoo.datasets.pipeline;

import java.util.SplittableRandom;

/**
 * Independent random streams keyed by a run's seed and two coordinates (an epoch and an image's place, a training
 * step, an image and a level): the key goes through splitmix64's finaliser before it seeds a
 * {@link SplittableRandom}. Seeding with a linear key instead ({@code seed * 0x9E3779B97F4A7C15L + step}) makes seed
 * {@code s + 1}'s stream seed {@code s}'s shifted by one draw, since that constant is what a seeded
 * {@code SplittableRandom} adds to its state per draw: runs with neighbouring seeds would repeat each other's draws.
 */
public final class RandomStreams {
  private RandomStreams() {}

  /** The stream of {@code (seed, a, b)}; every key gives an independent stream. */
  public static SplittableRandom of(long seed, long a, long b) {
    return new SplittableRandom(key(seed, a, b));
  }

  /** The seed of {@link #of}'s stream: each coordinate added with its own odd constant, then mixed. */
  static long key(long seed, long a, long b) {
    long z = seed;
    z = fmix(z + 0x9E3779B97F4A7C15L * (a + 1));
    z = fmix(z + 0xBF58476D1CE4E5B9L * (b + 2));
    return z;
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
