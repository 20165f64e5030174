package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Ops in the form TF 2.18's oneDNN graph passes recognise, where TF Java's typed API builds another form of the
 * same function. The typed {@code batchMatMul} builds {@code BatchMatMulV3}, which the oneDNN layout pass does not
 * rewrite (it runs in Eigen, about a third of oneDNN's speed on attention's small matrices: deit-tiny spent 35 % of
 * inference there). {@code BatchMatMulV2} is rewritten, but its C++ gradient is made of {@code BatchMatMulV3}s
 * (26 % of deit-tiny's training step); {@code Einsum}'s gradient is {@code Einsum}s, which oneDNN runs. The typed
 * {@code add} builds {@code Add}, while the remapper fuses a batched product, its scale and an {@code AddV2}
 * (attention scores plus a bias or mask) into one kernel.
 */
public final class OneDnnOps {
  private OneDnnOps() {}

  /**
   * {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose.
   *
   * @param differentiated whether gradients may be taken through the product: then it is an {@code Einsum} (its
   *     gradients run in oneDNN too), otherwise a {@code BatchMatMulV2} (a little faster forward)
   */
  public static Operand<TFloat32> batchMatMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX,
      boolean adjY, boolean differentiated) {
    if (differentiated) {
      String equation = (adjX ? "...ji" : "...ij") + "," + (adjY ? "...kj" : "...jk") + "->...ik";
      return tf.scope().opBuilder("Einsum", "Einsum")
          .addInputList(new Output<?>[] {a.asOutput(), b.asOutput()})
          .setAttr("equation", equation)
          .build()
          .output(0);
    }
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
