package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
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

  /**
   * LayerNorm over the last axis of a rank-2 or rank-3 {@code x} in one pass: {@code _MklLayerNorm}, the kernel
   * TF's remapper substitutes for Keras's fused LayerNorm (it does not match ours). An internal op of oneDNN
   * builds, CPU only, with no gradient: for inference graphs run in this process. A 224 U-model's 56x56x64 map:
   * about 110 us instead of 460 us for the seven element-wise ops on one thread.
   */
  /**
   * Whether {@link #layerNorm} can be built here: the natives register {@code _MklLayerNorm} (oneDNN builds, such
   * as TF Java's x86-64 ones; not macOS arm64) and oneDNN is not switched off with {@code TF_ENABLE_ONEDNN_OPTS=0}.
   */
  public static boolean layerNormAvailable() {
    return LayerNormAvailability.AVAILABLE;
  }

  private static final class LayerNormAvailability {
    static final boolean AVAILABLE = oneDnnEnabled(System.getenv("TF_ENABLE_ONEDNN_OPTS"))
        && TensorFlow.registeredOpList().getOpList().stream().anyMatch(op -> op.getName().equals("_MklLayerNorm"));
  }

  /** TF's reading of {@code TF_ENABLE_ONEDNN_OPTS}: unset or true means on. */
  public static boolean oneDnnEnabled(String setting) {
    if (setting == null) {
      return true;
    }
    String v = setting.trim().toLowerCase(java.util.Locale.ROOT);
    return !(v.equals("0") || v.equals("false"));
  }

  public static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, float eps) {
    int rank = x.shape().numDimensions();
    if (rank != 2 && rank != 3) {
      throw new IllegalArgumentException("the fused LayerNorm takes rank 2 or 3, got " + x.shape());
    }
    return tf.scope().opBuilder("_MklLayerNorm", "MklLayerNorm")
        .addInput(x.asOutput())
        .addInput(gamma.asOutput())
        .addInput(beta.asOutput())
        .setAttr("epsilon", eps)
        .build()
        .output(0);
  }
}
