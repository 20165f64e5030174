package org.stmzoo.layers.core;

import java.util.stream.LongStream;

/**
 * Chain {@code index} of {@code count} chains that share out a layer's units (a block's heads, an MLP's hidden
 * units) instead of its tokens: consecutive units, as even as possible.
 */
public record Share(int index, int count) {
  public Share {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("share " + index + " of " + count);
    }
  }

  /** The first of this share's units out of {@code total}. */
  public long from(long total) {
    return total * index / count;
  }

  /** One past the last of this share's units out of {@code total}. */
  public long to(long total) {
    return total * (index + 1) / count;
  }

  /** This share's units out of {@code total}, in order. */
  public long[] units(long total) {
    return LongStream.range(from(total), to(total)).toArray();
  }

  /** The name of the weights' parts this share reads ({@link ModelGraph#weightPart}). */
  public String name() {
    return "share" + index;
  }

  /** Whether this is the share that adds a summed layer's bias (the first). */
  public boolean addsBias() {
    return index == 0;
  }
}
