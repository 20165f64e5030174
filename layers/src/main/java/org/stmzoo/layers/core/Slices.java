package org.stmzoo.layers.core;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;

/**
 * Static index selection with cheap gradients: TF's {@code Slice}, whose gradient is one {@code Pad}. A gather's
 * gradient is a scatter, and TF's CPU {@code StridedSliceGrad} is several times slower than a pad (it was half of
 * U-Halo's training step). Parts along the outer axis are one {@code Unpack} ({@link #parts}).
 */
public final class Slices {
  private Slices() {}

  /** {@code x[..., index, ...]} along {@code axis}, that axis removed. */
  public static Operand<TFloat32> take(Ops tf, Operand<TFloat32> x, int axis, int index) {
    int a = axis < 0 ? x.shape().numDimensions() + axis : axis;
    return tf.squeeze(range(tf, x, a, index, index + 1), Squeeze.axis((long) a));
  }

  /**
   * {@code x[0], ..., x[count - 1]} along the outer axis, that axis removed: one {@code Unpack}, whose outputs share
   * {@code x}'s buffer (no copy) and whose gradient is one {@code Pack}, where {@code count} {@link #take}s would be
   * {@code count} Slice + Squeeze pairs with a Pad each in the gradient.
   */
  public static List<Operand<TFloat32>> parts(Ops tf, Operand<TFloat32> x, int count) {
    if (x.shape().numDimensions() < 1 || x.shape().get(0) != count) {
      throw new IllegalArgumentException("expected " + count + " parts along the outer axis of " + x.shape());
    }
    return List.copyOf(tf.unstack(x, (long) count, Unstack.axis(0L)).output());
  }

  /** {@code x[..., start:end, ...]} along {@code axis} (not negative), every other axis whole. */
  public static Operand<TFloat32> range(Ops tf, Operand<TFloat32> x, int axis, long start, long end) {
    return range(tf, x, new int[] {axis}, new long[] {start}, new long[] {end});
  }

  /** {@code x} cut to {@code [start_i, end_i)} along each {@code axes_i}, every other axis whole. */
  public static Operand<TFloat32> range(Ops tf, Operand<TFloat32> x, int[] axes, long[] start, long[] end) {
    // int32 begin and size: the C++ gradient of Slice subtracts them from an int32 shape.
    int[] begin = new int[x.shape().numDimensions()];
    int[] size = new int[begin.length];
    Arrays.fill(size, -1);
    for (int i = 0; i < axes.length; i++) {
      begin[axes[i]] = Math.toIntExact(start[i]);
      size[axes[i]] = Math.toIntExact(end[i] - start[i]);
    }
    return tf.slice(x, tf.constant(begin), tf.constant(size));
  }
}
