package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.ndarray.index.Index;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.types.TFloat32;

/**
 * Index selection that keeps gradients: a strided slice (it has a C++ gradient; Unpack may not), not a gather,
 * whose gradient is a scatter that costs far more in training than the slice's.
 */
public final class Slices {
  private Slices() {}

  /** {@code x[..., index, ...]} along {@code axis}, that axis removed. */
  public static Operand<TFloat32> take(Ops tf, Operand<TFloat32> x, int axis, int index) {
    int a = axis < 0 ? x.shape().numDimensions() + axis : axis;
    Index[] at = new Index[x.shape().numDimensions()];
    java.util.Arrays.fill(at, Indices.all());
    at[a] = Indices.at(index);
    return tf.stridedSlice(x, at);
  }
}
