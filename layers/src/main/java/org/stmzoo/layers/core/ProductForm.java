package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The op a batched product {@code a @ b} is built as: the same function, two kernels. Attention chooses per graph
 * with {@link #forAttention}.
 *
 * <p>A third form, {@code BatchMatMulV3} (which the oneDNN layout pass leaves to TF's own Eigen kernel), was the
 * choice for one-thread-per-op graphs from issue 12's sixth round: on that round's machine it beat oneDNN's at
 * attention's shapes on one thread. On the AMD EPYC (Zen 4) VMs of the later rounds oneDNN's kernel is as fast or
 * faster at every shape measured (one thread, softmax attention of one block: DeiT's 99 of 197 queries 0.21-0.24
 * against 0.24-0.31 ms, PiT's first stage 1.04-1.11 against 1.14-1.21 ms) and in whole latency-plan graphs
 * (docs/benchmarks.md, sixteenth round), so that form is gone.
 */
public enum ProductForm {
  /** {@code Einsum}: its gradients are {@code Einsum}s, which oneDNN runs. For graphs that may be trained. */
  EINSUM,
  /** {@code BatchMatMulV2}, which TF's oneDNN layout pass rewrites: the fastest forward, with all threads or one. */
  ONEDNN;

  /** The form for attention's two products: {@link #EINSUM} where {@code training} is not the constant false. */
  public static ProductForm forAttention(Operand<TBool> training) {
    return Training.staticValue(training).orElse(true) ? EINSUM : ONEDNN;
  }

  /** {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose. */
  public Operand<TFloat32> matMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX, boolean adjY) {
    return switch (this) {
      case EINSUM -> OneDnnOps.einsumMatMul(tf, a, b, adjX, adjY);
      case ONEDNN -> OneDnnOps.batchMatMul(tf, a, b, adjX, adjY);
    };
  }
}
