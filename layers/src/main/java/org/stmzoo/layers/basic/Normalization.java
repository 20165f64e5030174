package org.stmzoo.layers.basic;

import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.StoredInputGradients;
import org.stmzoo.layers.core.Training;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * (x - mean) / sqrt(biased var + eps) over the given axes, as the PyTorch norms compute it, and the norms'
 * per-channel affine map after it.
 */
final class Normalization {
  private static final String AFFINE_NORM = "affine_norm";
  private static final String EPS = "_eps";

  static {
    StoredInputGradients.define(AFFINE_NORM, Normalization::affineNormGradients);
  }

  private Normalization() {}

  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, int[] axes, float eps) {
    return Moments.of(tf, x, axes, eps).normalized(tf);
  }

  /** {@code x - mean} and {@code 1 / sqrt(biased var + eps)} over {@code axes}: the forward pass and the gradient's. */
  private record Moments(Operand<TFloat32> centered, Operand<TFloat32> inverseStd) {
    static Moments of(Ops tf, Operand<TFloat32> x, int[] axes, float eps) {
      Operand<TFloat32> centered = tf.math.sub(x, tf.math.mean(x, tf.constant(axes), Mean.keepDims(true)));
      Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), tf.constant(axes), Mean.keepDims(true));
      return new Moments(centered, tf.math.rsqrt(tf.math.add(variance, tf.constant(eps))));
    }

    Operand<TFloat32> normalized(Ops tf) {
      return tf.math.mul(centered, inverseStd);
    }
  }

  /**
   * Where the statistics are taken: over the last axis of a rank-{@code rank} tensor ({@code groups == 0},
   * LayerNorm), or per sample over (H, W, channels of each of {@code groups} groups) of an NHWC map (GroupNorm).
   * Kept as numbers (the node's attributes) because the gradient rule may not ask the graph for shapes.
   */
  private record Statistics(int rank, int groups, long height, long width, long channels) {
    static Statistics of(Operand<TFloat32> x, int groups) {
      int rank = x.shape().numDimensions();
      return groups == 0 ? new Statistics(rank, 0, 0, 0, Shapes.dim(x, -1))
          : new Statistics(rank, groups, Shapes.dim(x, 1), Shapes.dim(x, 2), Shapes.dim(x, 3));
    }

    static Statistics of(GraphOperation node) {
      var a = node.attributes();
      return new Statistics((int) a.getAttrInt("_rank"), (int) a.getAttrInt("_groups"), a.getAttrInt("_height"),
          a.getAttrInt("_width"), a.getAttrInt("_channels"));
    }

    Map<String, Number> attributes(float eps) {
      return Map.of("_rank", (long) rank, "_groups", (long) groups, "_height", height, "_width", width,
          "_channels", channels, EPS, eps);
    }

    int[] axes() {
      return groups == 0 ? new int[] {rank - 1} : new int[] {1, 2, 4};
    }

    /** {@code t} (shaped as the input) as GroupNorm's {@code [B, H, W, groups, C / groups]}; LayerNorm's: itself. */
    Operand<TFloat32> grouped(Ops tf, Operand<TFloat32> t) {
      return groups == 0 ? t : Shapes.reshapeBatch(tf, t, height, width, groups, channels / groups);
    }

    Operand<TFloat32> ungrouped(Ops tf, Operand<TFloat32> t) {
      return groups == 0 ? t : Shapes.reshapeBatch(tf, t, height, width, channels);
    }
  }

  /**
   * {@code normalize(x) * gamma + beta}, gamma and beta on the last axis; the statistics over the last axis
   * ({@code groups == 0}, LayerNorm) or per sample over (H, W, channels of each of {@code groups} groups) of an NHWC
   * map (GroupNorm). In a graph that may be trained its backward pass keeps only {@code x} (TF's op-by-op gradient
   * would keep the centred and the normalised input, two tensors of its size), see {@link StoredInputGradients}.
   */
  static Operand<TFloat32> affine(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta,
      int groups, float eps, Operand<TBool> training) {
    Statistics statistics = Statistics.of(x, groups);
    Operand<TFloat32> normalized = statistics.ungrouped(tf,
        normalize(tf, statistics.grouped(tf, x), statistics.axes(), eps));
    Operand<TFloat32> value = tf.math.add(tf.math.mul(normalized, gamma), beta);
    if (!Training.staticValue(training).orElse(true)) {
      return value;
    }
    return withStoredInputGradient(tf, x, gamma, beta, groups, eps, value);
  }

  /**
   * {@code value}, the affine norm of {@code x} however computed, with the gradient of {@link #affine} (from
   * {@code x}, {@code gamma} and {@code beta} alone); nothing flows back through {@code value}'s own ops.
   */
  static Operand<TFloat32> withStoredInputGradient(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, int groups, float eps, Operand<TFloat32> value) {
    return StoredInputGradients.of(tf, AFFINE_NORM, List.of(x, gamma, beta), value,
        Statistics.of(x, groups).attributes(eps));
  }

  /**
   * With {@code g = dy * gamma} and {@code xhat} the normalised input, over the statistics' axes:
   * {@code dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps)}; {@code dgamma = sum(dy * xhat)} and
   * {@code dbeta = sum(dy)} over every axis but the last. The statistics are computed again from {@code x}.
   */
  private static List<Operand<TFloat32>> affineNormGradients(Ops tf, GraphOperation node,
      List<Operand<TFloat32>> inputs, Operand<TFloat32> dy) {
    Statistics statistics = Statistics.of(node);
    float eps = node.attributes().getAttrFloat(EPS);
    Operand<TInt32> axes = tf.constant(statistics.axes());
    Moments moments = Moments.of(tf, statistics.grouped(tf, inputs.get(0)), statistics.axes(), eps);
    Operand<TFloat32> inverseStd = moments.inverseStd();
    Operand<TFloat32> normalized = moments.normalized(tf);
    Operand<TFloat32> g = statistics.grouped(tf, tf.math.mul(dy, inputs.get(1)));
    Operand<TFloat32> dx = tf.math.mul(inverseStd, tf.math.sub(
        tf.math.sub(g, tf.math.mean(g, axes, Mean.keepDims(true))),
        tf.math.mul(normalized, tf.math.mean(tf.math.mul(g, normalized), axes, Mean.keepDims(true)))));
    int[] leading = Shapes.leadingAxes(statistics.rank());
    // reshaped to [C]: the sums' static shape is unknown where dy's is, and a variable's gradient has its shape
    Operand<TInt64> channels = tf.constant(new long[] {statistics.channels()});
    Operand<TFloat32> dgamma = tf.reshape(
        tf.sum(tf.math.mul(dy, statistics.ungrouped(tf, normalized)), tf.constant(leading)), channels);
    Operand<TFloat32> dbeta = tf.reshape(tf.sum(dy, tf.constant(leading)), channels);
    return List.of(statistics.ungrouped(tf, dx), dgamma, dbeta);
  }
}
