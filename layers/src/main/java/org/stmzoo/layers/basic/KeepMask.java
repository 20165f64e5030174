package org.stmzoo.layers.basic;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** floor(keep + U[0,1)) / keep: a Bernoulli(keep) mask already scaled so the expectation is unchanged. */
final class KeepMask {
  private KeepMask() {}

  static Operand<TFloat32> of(Ops tf, Operand<TInt32> shape, float keep) {
    Operand<TFloat32> u = tf.random.randomUniform(shape, TFloat32.class);
    return tf.math.div(tf.math.floor(tf.math.add(u, tf.constant(keep))), tf.constant(keep));
  }
}
