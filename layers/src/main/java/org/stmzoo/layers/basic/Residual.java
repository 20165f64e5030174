package org.stmzoo.layers.basic;

import org.stmzoo.layers.core.Layer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** {@code x + dropPath(branch(x))}: the pre-norm residual of every block in the zoo. */
public record Residual(Ops tf, Layer branch, Layer dropPath) implements Layer {
  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return tf.math.add(input, dropPath.call(branch.call(input, training), training));
  }
}
