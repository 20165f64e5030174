package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Element-wise dropout, scaled by 1/keep in training, identity in inference (and when the rate is 0). */
public final class Dropout implements Layer {
  private final Ops tf;
  private final LayerScope scope;
  private final float rate;

  public Dropout(LayerScope scope, float rate) {
    this.tf = scope.tf();
    this.scope = scope;
    this.rate = ConfigChecks.rate("dropout rate", rate);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    if (rate == 0f) {
      return input;
    }
    return Training.select(tf, training,
        () -> tf.math.mul(input, KeepMask.of(scope, tf.shape(input), 1f - rate)),
        () -> input);
  }
}
