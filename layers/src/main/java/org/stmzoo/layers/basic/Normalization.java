package org.stmzoo.layers.basic;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** (x - mean) / sqrt(biased var + eps) over the given axes, as the PyTorch norms compute it. */
final class Normalization {
  private Normalization() {}

  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, int[] axes, float eps) {
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(axes), Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(x, mean);
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), tf.constant(axes), Mean.keepDims(true));
    return tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, tf.constant(eps))));
  }
}
