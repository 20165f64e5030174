package org.stmzoo.zoo.weights;

import java.util.Arrays;
import org.stmzoo.layers.io.InputFiles;

/**
 * The one check of a tensor shape read from a file (a safetensors header, a PyTorch pickle, a {@code .npy} header),
 * and shapes in messages: a file may give a shape of millions of dimensions, which printed whole made a 10 MB
 * safetensors file's import error 15 million characters long.
 */
final class TensorShapes {
  /** numpy's own limit (before 2.0); no model's tensor comes near it. */
  static final int MAX_RANK = 32;
  /** Dimensions a message shows. */
  private static final int SHOWN = 8;

  private TensorShapes() {}

  /**
   * Refuses a shape (or stride, {@code what}) of more than {@link #MAX_RANK} entries, before it is parsed. A pickle's
   * views copy their size and stride, which it may share: 2,000 views of one memoized 100,000-entry size were a
   * 247 KB file that ran out of memory.
   */
  static void checkRank(String where, String what, int length) {
    if (length > MAX_RANK) {
      throw new WeightFormatException(where + ": its " + what + " has " + length + " dimensions, more than "
          + MAX_RANK);
    }
  }

  /**
   * The element count of {@code shape}, read from the file {@code where} names: at most {@link #MAX_RANK}
   * dimensions, none negative, their product computed with overflow checks and small enough for one Java array.
   */
  static int elementCount(String where, long[] shape) {
    checkRank(where, "shape", shape.length);
    if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
      throw new WeightFormatException(where + ": shape " + toString(shape) + " has a negative dimension");
    }
    long count;
    try {
      count = RawTensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw new WeightFormatException(where + ": the element count of shape " + toString(shape)
          + " overflows 64 bits");
    }
    if (count > InputFiles.MAX_ARRAY_LENGTH) {
      throw new WeightFormatException(where + ": shape " + toString(shape) + " has " + count
          + " elements, more than one Java array holds");
    }
    return (int) count;
  }

  /** A shape (or stride) for a message: at most {@value #SHOWN} dimensions, then how many there are. */
  static String toString(long[] shape) {
    return shape.length <= SHOWN ? Arrays.toString(shape)
        : Arrays.toString(Arrays.copyOf(shape, SHOWN)).replace("]", ", ... (" + shape.length + " in all)]");
  }
}
