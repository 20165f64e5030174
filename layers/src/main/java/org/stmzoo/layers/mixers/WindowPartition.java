package org.stmzoo.layers.mixers;

import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.stmzoo.layers.core.Slices;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Non-overlapping square windows of NHWC maps, as Swin's {@code window_partition}/{@code window_reverse} and
 * HaloNet's query blocking use them. Windows are numbered row-major over the map ({@code wh * nw + ww}) and
 * tokens row-major inside a window ({@code r * size + c}). Everything is reshape/transpose, so gradients flow.
 */
public final class WindowPartition {
  private WindowPartition() {}

  /** {@code [B, H, W, C] -> [B, (H/s)(W/s), s*s, C]}; H and W must be multiples of {@code size}. */
  public static Operand<TFloat32> partition(Ops tf, Operand<TFloat32> x, int size) {
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    requireMultiple(h, w, size);
    Operand<TFloat32> blocks = Shapes.reshapeBatch(tf, x, h / size, size, w / size, size, c);
    return Shapes.reshapeBatch(tf, Shapes.transpose(tf, blocks, 0, 1, 3, 2, 4, 5),
        (long) (h / size) * (w / size), (long) size * size, c);
  }

  /** The inverse of {@link #partition}: {@code [B, (H/s)(W/s), s*s, C] -> [B, H, W, C]}. */
  public static Operand<TFloat32> reverse(Ops tf, Operand<TFloat32> windows, int size, int height, int width) {
    requireMultiple(height, width, size);
    int c = Shapes.dim(windows, -1);
    Operand<TFloat32> blocks = Shapes.reshapeBatch(tf, windows, height / size, width / size, size, size, c);
    return Shapes.reshapeBatch(tf, Shapes.transpose(tf, blocks, 0, 1, 3, 2, 4, 5), height, width, c);
  }

  /** The smallest multiple of {@code size} that is at least {@code length}. */
  public static int roundUp(int length, int size) {
    return (length + size - 1) / size * size;
  }

  /** Zero-pads the bottom and right of {@code [B, H, W, C]} up to multiples of {@code size}; identity if none. */
  public static Operand<TFloat32> padToMultiple(Ops tf, Operand<TFloat32> x, int size) {
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int padH = roundUp(h, size) - h;
    int padW = roundUp(w, size) - w;
    if (padH == 0 && padW == 0) {
      return x;
    }
    return tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, padH}, {0, padW}, {0, 0}}), tf.constant(0f));
  }

  /** The top-left {@code height x width} of {@code [B, H', W', C]}; identity if it is already that size. */
  public static Operand<TFloat32> crop(Ops tf, Operand<TFloat32> x, int height, int width) {
    if (Shapes.dim(x, 1) == height && Shapes.dim(x, 2) == width) {
      return x;
    }
    return Slices.range(tf, x, new int[] {1, 2}, new long[] {0, 0}, new long[] {height, width});
  }

  private static void requireMultiple(int h, int w, int size) {
    if (h % size != 0 || w % size != 0) {
      throw new IllegalArgumentException(h + "x" + w + " is not a multiple of the window size " + size);
    }
  }
}
