package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Ops in the form TF 2.18's oneDNN graph passes recognise, where TF Java's typed API builds another form of the
 * same function. The typed {@code batchMatMul} builds {@code BatchMatMulV3}, which the oneDNN layout pass does not
 * rewrite (it runs in Eigen, about a third of oneDNN's speed on attention's small matrices: deit-tiny spent 35 % of
 * inference there); the typed {@code add} builds {@code Add}, while the remapper fuses a batched product, its scale
 * and an {@code AddV2} (attention scores plus a bias or mask) into one kernel. Both have C++ gradients.
 */
public final class OneDnnOps {
  private OneDnnOps() {}

  /** {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose. */
  public static Operand<TFloat32> batchMatMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX,
      boolean adjY) {
    Operation op = tf.scope().opBuilder("BatchMatMulV2", "BatchMatMulV2")
        .addInput(a.asOutput())
        .addInput(b.asOutput())
        .setAttr("adj_x", adjX)
        .setAttr("adj_y", adjY)
        .build();
    return op.output(0);
  }

  /** {@code a + b} with broadcasting, as {@code AddV2}. */
  public static Operand<TFloat32> add(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operation op = tf.scope().opBuilder("AddV2", "AddV2").addInput(a.asOutput()).addInput(b.asOutput()).build();
    return op.output(0);
  }
}
