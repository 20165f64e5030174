package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The op a batched product {@code a @ b} is built as: the same function, three kernels, each fastest somewhere.
 * Attention chooses per graph with {@link #forAttention}.
 */
public enum ProductForm {
  /** {@code Einsum}: its gradients are {@code Einsum}s, which oneDNN runs. For graphs that may be trained. */
  EINSUM,
  /** {@code BatchMatMulV2}, which TF's oneDNN layout pass rewrites: fastest when every op has all cores. */
  ONEDNN,
  /**
   * {@code BatchMatMulV3}, which the oneDNN pass leaves to TF's own (Eigen) kernel. On one thread that kernel beats
   * oneDNN's at attention's shapes, whose inner dimension is a 32- or 64-wide head: PiT's first stage (2 heads),
   * 730 x 730 by 730 x 32, 0.38-0.48 ms against 1.22 ms; its scores, 730 x 32 by 32 x 730, 0.45 against 0.62 ms;
   * DeiT's 197-token products (3 heads of 64) 0.12 against 0.17-0.19 ms (a micro-benchmark of the products alone,
   * one intra-op thread; docs/benchmarks.md, issue 12's sixth round).
   */
  EIGEN;

  /**
   * The form for attention's two products in {@code model}: {@link #EINSUM} where {@code training} is not the
   * constant false, {@link #EIGEN} in inference graphs built for one thread per op, {@link #ONEDNN} otherwise.
   */
  public static ProductForm forAttention(ModelGraph model, Operand<TBool> training) {
    if (Training.staticValue(training).orElse(true)) {
      return EINSUM;
    }
    return model.oneThreadPerOp() ? EIGEN : ONEDNN;
  }

  /** {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose. */
  public Operand<TFloat32> matMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX, boolean adjY) {
    return switch (this) {
      case EINSUM -> OneDnnOps.einsumMatMul(tf, a, b, adjX, adjY);
      case ONEDNN -> OneDnnOps.batchMatMul(tf, a, b, adjX, adjY);
      case EIGEN -> tf.scope().opBuilder("BatchMatMulV3", "BatchMatMulV3")
          .addInput(a.asOutput())
          .addInput(b.asOutput())
          .setAttr("Ta", DataType.DT_FLOAT)
          .setAttr("Tb", DataType.DT_FLOAT)
          .setAttr("Tout", DataType.DT_FLOAT)
          .setAttr("adj_x", adjX)
          .setAttr("adj_y", adjY)
          .build()
          .output(0);
    };
  }
}
