package org.stmzoo.zoo.weights;

import org.stmzoo.layers.io.InputLimit;

/**
 * Upper bounds the checkpoint readers (pickle, PyTorch zip, safetensors) check before they allocate, so that
 * a hostile or broken file is a one-line {@link WeightFormatException} instead of an OutOfMemoryError, a
 * StackOverflowError or a hang. The defaults hold every published checkpoint of the zoo's families with a wide
 * margin; each can be raised with a system property ({@code STMZOO_JAVA_OPTS="-Dstmzoo.limit.tensor-bytes=..."}).
 *
 * @param maxTensorBytes float32 bytes of all tensors a file may make stmzoo hold (decoded storages included); by
 *     default what the Java heap allows ({@link #defaultTensorBytes}: half of it, or all but 512 MiB up to 8 GiB)
 * @param maxTensors tensors in one safetensors file or one imported state dict
 * @param maxPickleBytes size of a pickle (a zip's {@code data.pkl})
 * @param maxPickleObjects values a pickle may create, push, memoize or copy (list(L) counts L's items): each costs
 *     heap or time however small the file
 * @param maxPickleDepth open MARKs at once and nesting of tuples and frozensets (bounds the recursion of hashing)
 * @param maxZipEntries entries of a PyTorch zip
 * @param maxZipRatio decompressed size over compressed size of a zip entry larger than {@link #RATIO_FREE_BYTES}
 */
public record CheckpointLimits(long maxTensorBytes, int maxTensors, long maxPickleBytes, long maxPickleObjects,
    int maxPickleDepth, int maxZipEntries, long maxZipRatio) {
  /** Entries up to this size may compress at any ratio (small pickles of zeros compress very well). */
  static final long RATIO_FREE_BYTES = 1L << 20;
  static final String PROPERTY_PREFIX = "stmzoo.limit.";
  /** The heap {@link #defaultTensorBytes} leaves to the rest (the model the tensors go into) where it can. */
  static final long HEAP_RESERVE = 512L << 20;

  public CheckpointLimits {
    if (maxTensorBytes <= 0 || maxTensors <= 0 || maxPickleBytes <= 0 || maxPickleObjects <= 0
        || maxPickleDepth <= 0 || maxZipEntries <= 0 || maxZipRatio <= 0) {
      throw new IllegalArgumentException("checkpoint limits must be positive: " + this);
    }
  }

  /** The built-in limits, each overridden by its system property {@code stmzoo.limit.NAME} when set. */
  public static CheckpointLimits defaults() {
    return new CheckpointLimits(
        property("tensor-bytes", defaultTensorBytes()),
        (int) property("tensors", 100_000),
        property("pickle-bytes", 256L << 20),
        property("pickle-objects", 4_000_000),
        (int) property("pickle-depth", 200),
        (int) property("zip-entries", 200_000),
        property("zip-ratio", 100));
  }

  /**
   * What the Java heap ({@code -Xmx}) allows: half of it, or all but {@link #HEAP_RESERVE} up to 8 GiB where that is
   * more. A fixed bound above the heap (it was 8 GiB, the CLI's default heap) let a file that compresses well, or
   * whose zip entries share their bytes, run the JVM out of memory instead of being refused; but half the heap alone
   * refused what fits (the count takes the decoded storages and the views made of them, about twice a float32
   * file's size: a 350 MB checkpoint counts some 700 MB, which a library's small default heap, or an
   * STMZOO_JAVA_OPTS without the launcher's {@code -Xmx8g}, holds). Under the CLI's 8 GiB heap it is 7.5 GiB.
   */
  static long defaultTensorBytes() {
    return defaultTensorBytes(Runtime.getRuntime().maxMemory());
  }

  /** {@link #defaultTensorBytes()} for a heap of {@code maxMemory} bytes ({@code Long.MAX_VALUE}: no bound). */
  static long defaultTensorBytes(long maxMemory) {
    if (maxMemory == Long.MAX_VALUE) {
      return 8L << 30;
    }
    return Math.max(maxMemory / 2, Math.min(maxMemory - HEAP_RESERVE, 8L << 30));
  }

  /** Limit {@code name}'s system property. */
  static String property(String name) {
    return PROPERTY_PREFIX + name;
  }

  /** How errors say to raise limit {@code name}. */
  static String knob(String name) {
    return "raise with " + limit(name, 0).knob()
        + (name.equals("tensor-bytes") ? ", or the Java heap with -Xmx: the default follows it" : "");
  }

  private static InputLimit limit(String name, long fallback) {
    return new InputLimit(property(name), fallback);
  }

  private static long property(String name, long fallback) {
    long value = limit(name, fallback).value();
    if ((name.equals("tensors") || name.equals("pickle-depth") || name.equals("zip-entries"))
        && value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("system property " + property(name) + "=" + value
          + " is larger than " + Integer.MAX_VALUE);
    }
    return value;
  }
}
