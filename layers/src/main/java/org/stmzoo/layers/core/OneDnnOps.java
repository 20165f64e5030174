package org.stmzoo.layers.core;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Prod;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Ops in the form TF 2.18's oneDNN graph passes recognise, where TF Java's typed API builds another form of the
 * same function. The typed {@code batchMatMul} builds {@code BatchMatMulV3}, which the oneDNN layout pass does not
 * rewrite (it runs in Eigen, about a third of oneDNN's speed on attention's small matrices: deit-tiny spent 35 % of
 * inference there). {@code BatchMatMulV2} is rewritten, but its C++ gradient is made of {@code BatchMatMulV3}s
 * (26 % of deit-tiny's training step); {@code Einsum}'s gradient is {@code Einsum}s, which oneDNN runs.
 */
public final class OneDnnOps {
  private static Boolean layerNormFuses; // probed once per process

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
   * Whether TF's remapper turns {@link #layerNorm}'s form into oneDNN's kernel in this process: found once by
   * running a small graph of that form and looking for {@code _MklLayerNorm} in what the session ran. TF decides
   * this from its build, {@code TF_ENABLE_ONEDNN_OPTS} and, where that is unset, the CPU (oneDNN's graph passes are
   * on by default only where the CPU has AVX-512 VNNI, BF16 or AMX); where it does not fuse, the form is slower
   * than the element-wise one, so in-process graphs ask for it only where this is true.
   *
   * @param sessionConfig the options of the session the caller is about to open: TF sizes its thread pools at a
   *     process's first session, which may be this probe's
   */
  public static synchronized boolean remapperFusesLayerNorm(ConfigProto sessionConfig) {
    if (layerNormFuses == null) {
      layerNormFuses = probeLayerNormFusion(sessionConfig);
    }
    return layerNormFuses;
  }

  private static boolean probeLayerNormFusion(ConfigProto sessionConfig) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
      Placeholder<TFloat32> gamma = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      Placeholder<TFloat32> beta = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      Operand<TFloat32> y = layerNorm(tf, x, gamma, beta, 1e-5f);
      RunOptions options = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
      try (Session session = new Session(g, sessionConfig);
          TFloat32 rows = TFloat32.tensorOf(Shape.of(2, 4));
          TFloat32 ones = TFloat32.tensorOf(Shape.of(4), d -> d.setFloat(1f, 0));
          TFloat32 zeros = TFloat32.tensorOf(Shape.of(4));
          Result result = session.runner().feed(x, rows).feed(gamma, ones).feed(beta, zeros).fetch(y)
              .setOptions(options).runAndFetchMetadata()) {
        return result.getMetadata().stream()
            .flatMap(metadata -> metadata.getPartitionGraphsList().stream())
            .flatMap(graph -> graph.getNodeList().stream())
            .anyMatch(node -> node.getOp().equals("_MklLayerNorm"));
      }
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * LayerNorm over the last axis of a rank-2 or rank-3 {@code x}, in the form TF's remapper replaces by oneDNN's
   * one-pass kernel {@code _MklLayerNorm}: Keras 2's fused LayerNorm, i.e. the rows as the channels of an NCHW
   * {@code [1, rows, features, 1]} map through {@code FusedBatchNormV3} in training mode (statistics of each
   * row, unit scale and zero offset from {@code Fill}s, empty mean and variance), reshaped back, then
   * {@code Mul} by gamma and {@code AddV2} of beta. The remapper matches exactly that subgraph (with {@code Fill}s
   * it cannot fold, so their sizes come from the input's dynamic shape), with gamma and beta variables; it does
   * not match the element-wise form, nor its own second layer-norm pattern from our graphs (checked on the
   * optimized graph). Standard ops only, so a graph holding it loads in any TF: where oneDNN is off, or for an
   * export served by another build, batch norm computes the same function unfused (slower than the element-wise
   * form there). A 224 U-model's 56x56x64 map: about 110 us fused instead of 460 us for the seven element-wise ops
   * on one thread. Nothing here differentiates it: in a graph that may be trained it gives {@code LayerNorm}'s
   * forward value and the element-wise form's gradient rule the gradient. On a GPU TF's remapper may put the
   * fused kernel, which is CPU only, on the GPU (tensorflow/tensorflow#62607).
   */
  public static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, float eps) {
    int rank = x.shape().numDimensions();
    if (rank != 2 && rank != 3) {
      throw new IllegalArgumentException("the fused LayerNorm takes rank 2 or 3, got " + x.shape());
    }
    long features = x.shape().get(rank - 1);
    if (features < 0) {
      throw new IllegalArgumentException("the fused LayerNorm needs a static feature count, got " + x.shape());
    }
    Operand<TFloat32> rowsAsChannels = tf.reshape(x, tf.constant(new long[] {1, -1, features, 1}));
    // the row count from x's shape: the reshaped map may feed nothing outside the pattern
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> rowCount = tf.prod(tf.stridedSlice(shape, tf.constant(new int[] {0}),
        tf.constant(new int[] {-1}), tf.constant(new int[] {1})), tf.constant(0), Prod.keepDims(true));
    FusedBatchNorm<TFloat32, TFloat32> normalized = tf.nn.fusedBatchNorm(rowsAsChannels,
        tf.fill(rowCount, tf.constant(1f)), tf.fill(rowCount, tf.constant(0f)), tf.constant(new float[0]),
        tf.constant(new float[0]), FusedBatchNorm.epsilon(eps), FusedBatchNorm.dataFormat("NCHW"),
        FusedBatchNorm.isTraining(true));
    // back by x's own shape tensor: the remapper fuses only where it can tell the output has x's shape
    Operand<TFloat32> scaled = tf.math.mul(tf.reshape(normalized.y(), shape), gamma);
    // AddV2 by name: the typed add builds Add, which the pattern does not take
    return tf.scope().opBuilder("AddV2", "AddV2")
        .addInput(scaled.asOutput())
        .addInput(beta.asOutput())
        .build()
        .output(0);
  }
}
