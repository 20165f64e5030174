package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * floor(keep + U[0,1)) / keep: a Bernoulli(keep) mask already scaled so the expectation is unchanged. The
 * uniform draw is stateless, keyed by the model's random seed and a salt unique to this call site (see
 * {@code ModelGraph.stochasticSeed()}), so a trainer that feeds the seed per step gets the same masks again on
 * resume, while two calls of one layer (a block's two residual branches) still draw independent masks.
 */
final class KeepMask {
  private KeepMask() {}

  static Operand<TFloat32> of(LayerScope scope, Operand<TInt32> shape, float keep) {
    Ops tf = scope.tf();
    Operand<TInt64> seed = scope.model().stochasticSeed();
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape, seed, TFloat32.class);
    return tf.math.div(tf.math.floor(tf.math.add(u, tf.constant(keep))), tf.constant(keep));
  }
}
