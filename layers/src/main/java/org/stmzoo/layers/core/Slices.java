package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;

/** Index selection that keeps gradients (GatherV2 has a C++ gradient; Unpack may not). */
public final class Slices {
  private Slices() {}

  /** {@code x[..., index, ...]} along {@code axis}, that axis removed. */
  public static Operand<TFloat32> take(Ops tf, Operand<TFloat32> x, int axis, int index) {
    int a = axis < 0 ? x.shape().numDimensions() + axis : axis;
    return tf.squeeze(tf.gather(x, tf.constant(new int[] {index}), tf.constant(a)), Squeeze.axis((long) a));
  }
}
