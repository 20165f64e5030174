package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Stochastic depth (timm's DropPath): in training each sample's residual branch is zeroed with probability
 * {@code rate} and the survivors scaled by 1/(1-rate); identity in inference.
 */
public final class DropPath implements Layer {
  private final Ops tf;
  private final LayerScope scope;
  private final float rate;

  public DropPath(LayerScope scope, float rate) {
    this.tf = scope.tf();
    this.scope = scope;
    this.rate = ConfigChecks.rate("drop-path rate", rate);
  }

  public float rate() {
    return rate;
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    if (rate == 0f) {
      return input;
    }
    return Training.select(tf, training, () -> {
      int rank = input.shape().numDimensions();
      // [batch, 1, 1, ...]: one draw per sample, broadcast over the rest.
      Operand<TInt32> batch = Shapes.batchSize(tf, input);
      Operand<TInt32> shape = tf.concat(java.util.List.of(batch, tf.fill(tf.constant(new int[] {rank - 1}),
          tf.constant(1))), tf.constant(0));
      return tf.math.mul(input, KeepMask.of(scope, shape, 1f - rate));
    }, () -> input);
  }
}
