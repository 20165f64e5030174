package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The op a batched product {@code a @ b} is built as: the same function, three forms. Attention chooses per graph
 * ({@link #forAttention}, {@link ModelGraph#attentionProducts}).
 *
 * <p>Which of oneDNN's kernel and TF's own is faster at attention's shapes depends on the CPU: on the AMD EPYC Zen 4
 * VMs of issue 12's later rounds oneDNN's was as fast or faster at every shape measured (docs/benchmarks.md,
 * sixteenth round); on the Zen 5 VMs of the eighteenth round TF's own is faster at DeiT's, PiT's, U-PVT's and
 * U-Halo's (one thread, a chain of DeiT's 99 of 197 queries: 0.15 against 0.19 ms; PiT's first stage 0.62 against
 * 1.07 ms) and slower at U-Swin's windows. In-process inference graphs measure it once per process
 * ({@link AttentionKernelProbe}); exports keep oneDNN's.
 */
public enum ProductForm {
  /** {@code Einsum}: its gradients are {@code Einsum}s, which oneDNN runs. For graphs that may be trained. */
  EINSUM,
  /** {@code BatchMatMulV2}, which TF's oneDNN layout pass rewrites: the faster forward on the Zen 4 VMs. */
  ONEDNN,
  /**
   * {@code BatchMatMulV3}, which the layout pass leaves to TF's own (Eigen) kernel: the faster forward on the
   * Zen 5 VMs at ViT/PiT, U-PVT and U-Halo attention's shapes ({@link AttentionKernelProbe}). Its gradient is
   * {@code BatchMatMulV3}s too, so it is for inference graphs.
   */
  TF_KERNEL;

  /** The form for attention's two products: {@link #EINSUM} where {@code training} is not the constant false. */
  public static ProductForm forAttention(Operand<TBool> training) {
    return Training.staticValue(training).orElse(true) ? EINSUM : ONEDNN;
  }

  private static Operand<TFloat32> tfKernelMatMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX,
      boolean adjY) {
    return tf.scope().opBuilder("BatchMatMulV3", "BatchMatMulV3")
        .addInput(a.asOutput())
        .addInput(b.asOutput())
        .setAttr("Tout", DataType.DT_FLOAT)
        .setAttr("adj_x", adjX)
        .setAttr("adj_y", adjY)
        .build()
        .output(0);
  }

  /** {@code a @ b} over the last two axes, leading axes broadcast; the flags take an operand's transpose. */
  public Operand<TFloat32> matMul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjX, boolean adjY) {
    return switch (this) {
      case EINSUM -> OneDnnOps.einsumMatMul(tf, a, b, adjX, adjY);
      case ONEDNN -> OneDnnOps.batchMatMul(tf, a, b, adjX, adjY);
      case TF_KERNEL -> tfKernelMatMul(tf, a, b, adjX, adjY);
    };
  }
}
