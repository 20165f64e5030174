package org.stmzoo.layers.core;

import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Static-shape helpers. Models are built for a fixed image size, so every dimension but the batch is known. */
public final class Shapes {
  private Shapes() {}

  /** The static dimension {@code axis} (negative counts from the end); fails if it is unknown. */
  public static int dim(Operand<?> x, int axis) {
    Shape s = x.shape();
    int a = axis < 0 ? s.numDimensions() + axis : axis;
    long d = s.get(a);
    if (d < 0) {
      throw new IllegalStateException("dimension " + axis + " of " + s + " is not static");
    }
    return Math.toIntExact(d);
  }

  /**
   * Refuses a static height and width other than the ones a layer was built for, with {@code refusal}'s message
   * (what was built for which size, and what came). A negative (unknown) height or width passes.
   */
  public static void requireBuiltSize(long height, long width, int builtHeight, int builtWidth,
      Supplier<String> refusal) {
    if (height >= 0 && height != builtHeight || width >= 0 && width != builtWidth) {
      throw new IllegalArgumentException(refusal.get());
    }
  }

  /** The run-time size of {@code x}'s first (batch) axis, as a one-entry vector. */
  public static Operand<TInt32> batchSize(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
  }

  /** Reshape keeping the batch (first) dimension dynamic: {@code [-1, dims...]}. */
  public static Operand<TFloat32> reshapeBatch(Ops tf, Operand<TFloat32> x, long... dims) {
    long[] full = new long[dims.length + 1];
    full[0] = -1;
    System.arraycopy(dims, 0, full, 1, dims.length);
    return tf.reshape(x, tf.constant(full));
  }

  /**
   * {@code x} reshaped to {@code like}'s static shape with the last dimension {@code last}, the batch kept dynamic:
   * {@code [-1, like's dims 1 .. rank-2, last]} (rows {@code [B * ..., last]} back to the tokens or map they were
   * flattened from).
   */
  public static Operand<TFloat32> reshapeBatchLike(Ops tf, Operand<TFloat32> x, Operand<?> like, long last) {
    int rank = like.shape().numDimensions();
    long[] dims = new long[rank - 1];
    for (int i = 1; i < rank - 1; i++) {
      dims[i - 1] = dim(like, i);
    }
    dims[rank - 2] = last;
    return reshapeBatch(tf, x, dims);
  }

  /** The axes {@code 0 .. rank-2}: every axis but the last, over which per-channel statistics and sums run. */
  public static int[] leadingAxes(int rank) {
    int[] axes = new int[rank - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes;
  }

  public static Operand<TFloat32> transpose(Ops tf, Operand<TFloat32> x, int... perm) {
    return tf.linalg.transpose(x, tf.constant(perm));
  }
}
