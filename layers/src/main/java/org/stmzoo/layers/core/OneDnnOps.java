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
 * (26 % of deit-tiny's training step); {@code Einsum}'s gradient is {@code Einsum}s, which oneDNN runs.
 */
public final class OneDnnOps {
  private OneDnnOps() {}

  /**
   * {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose. Its
   * gradient is two {@code BatchMatMulV3}s (Eigen): for attention-sized matrices in a trained graph use
   * {@link #einsumMatMul}; for many tiny products (DCNv3's 1 x 36 by 36 x D per sample) this form measured faster
   * in training too.
   */
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

  /**
   * The same product as {@link #batchMatMul} as an {@code Einsum}, whose gradients are {@code Einsum}s that oneDNN
   * runs: the form for products that are trained through (a little slower forward).
   */
  public static Operand<TFloat32> einsumMatMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX,
      boolean adjY) {
    String equation = (adjX ? "...ji" : "...ij") + "," + (adjY ? "...kj" : "...jk") + "->...ik";
    return tf.scope().opBuilder("Einsum", "Einsum")
        .addInputList(new Output<?>[] {a.asOutput(), b.asOutput()})
        .setAttr("equation", equation)
        .build()
        .output(0);
  }
}
