package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.Layer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Stateless activations. GELU is the exact erf form that PyTorch's nn.GELU() computes. */
public final class Activations {
  private Activations() {}

  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> erf = tf.math.erf(tf.math.mul(x, tf.constant((float) (1.0 / Math.sqrt(2.0)))));
    return tf.math.mul(tf.math.mul(x, tf.constant(0.5f)), tf.math.add(erf, tf.constant(1f)));
  }

  public static Layer gelu(Ops tf) {
    return (x, training) -> gelu(tf, x);
  }
}
