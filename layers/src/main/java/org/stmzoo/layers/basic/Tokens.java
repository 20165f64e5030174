package org.stmzoo.layers.basic;

import java.util.List;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Moves between NHWC maps and token sequences {@code [B, N, C]}, and handles the learned prefix tokens
 * (class, distillation) that vision transformers put in front of the patch tokens. The batch stays dynamic.
 */
public final class Tokens {
  private Tokens() {}

  /** {@code [B, H, W, C] -> [B, H*W, C]}, row-major like PyTorch's {@code x.flatten(2).transpose(1, 2)}. */
  public static Operand<TFloat32> fromMap(Ops tf, Operand<TFloat32> map) {
    return Shapes.reshapeBatch(tf, map, (long) Shapes.dim(map, 1) * Shapes.dim(map, 2), Shapes.dim(map, 3));
  }

  /** {@code [B, H*W, C] -> [B, H, W, C]}, the inverse of {@link #fromMap}. */
  public static Operand<TFloat32> toMap(Ops tf, Operand<TFloat32> tokens, int height, int width) {
    return Shapes.reshapeBatch(tf, tokens, height, width, Shapes.dim(tokens, 2));
  }

  /**
   * A learned {@code [1, T, C]} parameter repeated over the batch of {@code like} ({@code expand(B, -1, -1)}).
   * BroadcastTo with an int32 shape, which has a gradient.
   */
  public static Operand<TFloat32> expandToBatch(Ops tf, Operand<TFloat32> parameter, Operand<TFloat32> like) {
    Operand<TInt32> batch = Shapes.batchSize(tf, like);
    Operand<TInt32> shape = tf.concat(List.of(batch,
        tf.constant(new int[] {Shapes.dim(parameter, 1), Shapes.dim(parameter, 2)})), tf.constant(0));
    return tf.broadcastTo(parameter, shape);
  }

  /** Token sequences joined along the token axis, in order. */
  public static Operand<TFloat32> concat(Ops tf, List<Operand<TFloat32>> parts) {
    return tf.concat(parts, tf.constant(1));
  }

  /** The first {@code count} tokens, {@code x[:, :count]}. */
  public static Operand<TFloat32> leading(Ops tf, Operand<TFloat32> tokens, int count) {
    return slice(tf, tokens, 0, count);
  }

  /** All tokens after the first {@code count}, {@code x[:, count:]}. */
  public static Operand<TFloat32> trailing(Ops tf, Operand<TFloat32> tokens, int count) {
    return slice(tf, tokens, count, Shapes.dim(tokens, 1));
  }

  /** Token {@code index} as {@code [B, C]}, {@code x[:, index]}. */
  public static Operand<TFloat32> at(Ops tf, Operand<TFloat32> tokens, int index) {
    return tf.stridedSlice(tokens, tf.constant(new int[] {0, index, 0}), tf.constant(new int[] {0, index + 1, 0}),
        tf.constant(new int[] {1, 1, 1}), StridedSlice.beginMask(5L), StridedSlice.endMask(5L),
        StridedSlice.shrinkAxisMask(2L));
  }

  // StridedSlice rather than Slice: it has a registered gradient. Masks keep the batch and channel axes whole.
  private static Operand<TFloat32> slice(Ops tf, Operand<TFloat32> tokens, int begin, int end) {
    return tf.stridedSlice(tokens, tf.constant(new int[] {0, begin, 0}), tf.constant(new int[] {0, end, 0}),
        tf.constant(new int[] {1, 1, 1}), StridedSlice.beginMask(5L), StridedSlice.endMask(5L));
  }
}
