package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * One resource variable of a model.
 *
 * @param path hierarchical name, e.g. {@code stages/2/blocks/5/mixer/qkv/kernel}; also its checkpoint key
 * @param shape static shape in stmzoo's layout (NHWC / HWIO / [in, out])
 * @param role what the variable is for (trainability, decay)
 * @param weightDecay whether AdamW decays it
 * @param handle the VarHandleOp; null in a graph with frozen weights ({@link FrozenWeights})
 * @param value the one ReadVariableOp every consumer uses, gradients are taken with respect to it; in a graph
 *     with frozen weights the constant value
 * @param initializer the op that assigns the initial value; null in a graph with frozen weights
 */
public record ModelVariable(
    String path,
    Shape shape,
    VariableRole role,
    boolean weightDecay,
    Operand<? extends TType> handle,
    Operand<TFloat32> value,
    Op initializer) {

  /** Whether this is a frozen weight ({@link FrozenWeights}): a constant, with no handle or initializer. */
  public boolean frozen() {
    return handle == null;
  }

  public boolean trainable() {
    return role.trainable();
  }

  public long size() {
    return shape.size();
  }
}
