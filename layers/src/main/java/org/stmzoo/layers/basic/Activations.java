package org.stmzoo.layers.basic;

import java.util.List;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.StoredInputGradients;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Stateless activations. GELU is the exact erf form that PyTorch's nn.GELU() computes. */
public final class Activations {
  private static final String GELU = "gelu";

  static {
    StoredInputGradients.defineCompiled(GELU,
        (tf, node, inputs, dy) -> List.of(tf.math.mul(dy, geluDerivative(tf, inputs.get(0)))));
  }

  private Activations() {}

  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    // (erf(x / sqrt 2) + 1) * (x * 0.5), in this operand order: the form Grappler's remapper fuses with a
    // preceding MatMul + BiasAdd into one _FusedMatMul (GeluExact).
    return tf.math.mul(erfPlusOne(tf, x), tf.math.mul(x, tf.constant(0.5f)));
  }

  /** {@code erf(x / sqrt 2) + 1}: twice the normal CDF, which GELU and its derivative share. */
  private static Operand<TFloat32> erfPlusOne(Ops tf, Operand<TFloat32> x) {
    return tf.math.add(tf.math.erf(tf.math.mul(x, tf.constant((float) (1.0 / Math.sqrt(2.0))))), tf.constant(1f));
  }

  /**
   * GELU in a graph that {@code training} says may be trained: the same values, but its backward pass keeps only
   * {@code x} (the hidden width once, as PyTorch) instead of the three intermediates TF's op-by-op gradient
   * would keep ({@link StoredInputGradients}); an inference graph gets the form the remapper fuses.
   */
  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x, Operand<TBool> training) {
    if (!Training.staticValue(training).orElse(true)) {
      return gelu(tf, x);
    }
    return StoredInputGradients.of(tf, GELU, List.of(x), gelu(tf, x));
  }

  /** d/dx x * Phi(x) = Phi(x) + x * phi(x), with Phi the normal CDF and phi its density. */
  static Operand<TFloat32> geluDerivative(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.mul(erfPlusOne(tf, x), tf.constant(0.5f));
    Operand<TFloat32> density = tf.math.mul(tf.math.exp(tf.math.mul(tf.math.square(x), tf.constant(-0.5f))),
        tf.constant((float) (1.0 / Math.sqrt(2.0 * Math.PI))));
    return tf.math.add(cdf, tf.math.mul(x, density));
  }

  public static Layer gelu(Ops tf) {
    return (x, training) -> gelu(tf, x, training);
  }
}
