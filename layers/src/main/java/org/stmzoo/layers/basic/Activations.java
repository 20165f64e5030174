package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.Layer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Stateless activations. GELU is the exact erf form that PyTorch's nn.GELU() computes. */
public final class Activations {
  private Activations() {}

  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    // (erf(x / sqrt 2) + 1) * (x * 0.5), in this operand order: the form Grappler's remapper fuses with a
    // preceding MatMul + BiasAdd into one _FusedMatMul (GeluExact).
    Operand<TFloat32> erf = tf.math.erf(tf.math.mul(x, tf.constant((float) (1.0 / Math.sqrt(2.0)))));
    return tf.math.mul(tf.math.add(erf, tf.constant(1f)), tf.math.mul(x, tf.constant(0.5f)));
  }

  public static Layer gelu(Ops tf) {
    return (x, training) -> gelu(tf, x);
  }
}
