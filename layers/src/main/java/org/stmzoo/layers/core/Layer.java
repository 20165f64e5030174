package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A Keras-like layer: it creates its variables once, in its constructor, under a {@link LayerScope}; every
 * {@code call} builds new ops that read those same variables. {@code training} is a boolean graph operand
 * (a placeholder defaulting to false, or a constant for inference-only graphs: see {@link Training}).
 */
@FunctionalInterface
public interface Layer {
  Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training);

  /** Identity, for optional parts of a block (e.g. a DropPath with rate 0). */
  static Layer identity() {
    return (input, training) -> input;
  }
}
