package org.stmzoo.layers.mixers;

import java.util.List;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Bilinear sampling of grouped NHWC maps at arbitrary (learned) locations, built only from ops that have
 * C++ gradients (GatherV2, arithmetic), so it trains in graph mode: the gradient reaches the sampled map
 * through the gather and the locations through the bilinear weights, as in the deformable-attention CUDA
 * kernel's backward.
 *
 * <p>Coordinates are in pixels of the sampled map with pixel centres at integers ({@code grid_sample}
 * align_corners=False after its -0.5 shift, i.e. the {@code h_im}/{@code w_im} of the MSDeformAttn kernel).
 * Each of the four neighbours outside the map reads zero, so the map behaves as if zero-extended without
 * bound: that is the kernel's rule (a sample with {@code h_im <= -1} or {@code h_im >= H} is zero; nearer to
 * the border the in-range neighbours still contribute).
 *
 * <p>The zero extension is one row and column of zeros around the map: a neighbour's row and column are clamped
 * to {@code [-1, H]} and {@code [-1, W]} separately, so any neighbour outside lands on the zero border. No masks,
 * no comparisons: the four neighbours of all points are read by one gather, and their bilinear weights (times the
 * caller's point weights, for {@link #weightedSum}) multiply the rows read.
 */
public final class BilinearSampler {
  private BilinearSampler() {}

  /**
   * @param value {@code [B, H, W, G, D]}: G groups (heads) of D channels, sampled independently
   * @param y row coordinates {@code [B, L, G, P]}: P points for each of L queries and each group
   * @param x column coordinates, same shape as {@code y}
   * @return {@code [B, L, G, P, D]}, the bilinear value of group g's map at {@code (y, x)}
   */
  public static Operand<TFloat32> sample(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y, Operand<TFloat32> x) {
    Neighbours n = Neighbours.of(tf, value, y, x);
    int queries = Shapes.dim(y, 1);
    int groups = Shapes.dim(y, 2);
    int points = Shapes.dim(y, 3);
    // [B, L, G, 4P, D] -> [B, L, G, 4, P, D], summed over the four neighbours
    Operand<TFloat32> weighted = tf.math.mul(tf.gather(n.table(), n.index(), tf.constant(0)),
        tf.expandDims(n.weight(), tf.constant(-1)));
    return tf.reduceSum(Shapes.reshapeBatch(tf, weighted, queries, groups, 4, points, n.channels()),
        tf.constant(3));
  }

  /**
   * {@code sum_p weights[.., p] * sample(value, y, x)[.., p, :]} without the per-point samples: the point weights
   * (deformable attention's softmax) fold into the neighbours' bilinear weights, so one batched product of those
   * {@code 4P} weights with the {@code 4P} neighbour rows gives the result.
   *
   * @param weights {@code [B, L, G, P]}, the weight of each point
   * @return {@code [B, L, G, D]}
   */
  public static Operand<TFloat32> weightedSum(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y,
      Operand<TFloat32> x, Operand<TFloat32> weights) {
    Neighbours n = Neighbours.of(tf, value, y, x);
    Operand<TFloat32> perNeighbour = tf.math.mul(n.weight(),
        tf.concat(List.of(weights, weights, weights, weights), tf.constant(3)));
    // [.., 1, 4P] @ [.., 4P, D]: one batched product reads the gathered rows once (a multiply and a sum wrote and
    // read them again); measured 13 % faster at inference and 30 % in training on u-dcnv3-micro.
    Operand<TFloat32> summed = OneDnnOps.batchMatMul(tf, tf.expandDims(perNeighbour, tf.constant(-2)),
        tf.gather(n.table(), n.index(), tf.constant(0)), false, false);
    return Shapes.reshapeBatch(tf, summed, Shapes.dim(y, 1), Shapes.dim(y, 2), n.channels());
  }

  /**
   * The four neighbours of every point, neighbour-major along the last axis ({@code [B, L, G, 4P]}: top-left of
   * all points, then top-right, bottom-left, bottom-right): their rows in {@code table} (the zero-bordered map as
   * rows of D channels) and their bilinear weights.
   */
  private record Neighbours(Operand<TFloat32> table, Operand<TInt32> index, Operand<TFloat32> weight,
      int channels) {
    static Neighbours of(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y, Operand<TFloat32> x) {
      int height = Shapes.dim(value, 1);
      int width = Shapes.dim(value, 2);
      int groups = Shapes.dim(value, 3);
      int channels = Shapes.dim(value, 4);
      if (Shapes.dim(y, 2) != groups || Shapes.dim(x, 2) != groups) {
        throw new IllegalArgumentException("locations " + y.shape() + " do not match the " + groups
            + " groups of " + value.shape());
      }
      // The integer corners carry no gradient (floor is piecewise constant); the fractions carry all of it.
      Operand<TFloat32> y0 = tf.stopGradient(tf.math.floor(y));
      Operand<TFloat32> x0 = tf.stopGradient(tf.math.floor(x));
      Operand<TFloat32> fy = tf.math.sub(y, y0);
      Operand<TFloat32> fx = tf.math.sub(x, x0);
      Operand<TFloat32> gy = tf.math.sub(tf.constant(1f), fy);
      Operand<TFloat32> gx = tf.math.sub(tf.constant(1f), fx);

      // Rows and columns in the bordered map (+1): anything outside [-1, H] lands on a zero border row.
      int borderedW = width + 2;
      Operand<TInt32> row0 = tf.dtypes.cast(y0, TInt32.class);
      Operand<TInt32> col0 = tf.dtypes.cast(x0, TInt32.class);
      Operand<TInt32> top = tf.math.mul(bordered(tf, row0, 1, height), tf.constant(borderedW * groups));
      Operand<TInt32> bottom = tf.math.mul(bordered(tf, row0, 2, height), tf.constant(borderedW * groups));
      Operand<TInt32> left = tf.math.mul(bordered(tf, col0, 1, width), tf.constant(groups));
      Operand<TInt32> right = tf.math.mul(bordered(tf, col0, 2, width), tf.constant(groups));

      // table row ((b * (H + 2) + row) * (W + 2) + col) * G + g
      Operand<TFloat32> borderedValue = tf.pad(value,
          tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}, {0, 0}}), tf.constant(0f));
      Operand<TFloat32> table = tf.reshape(borderedValue, tf.constant(new int[] {-1, channels}));
      Operand<TInt32> batch = Shapes.batchSize(tf, value);
      Operand<TInt32> batchBase = tf.reshape(
          tf.math.mul(tf.range(tf.constant(0), tf.reshape(batch, tf.constant(new int[0])), tf.constant(1)),
              tf.constant((height + 2) * borderedW * groups)),
          tf.constant(new int[] {-1, 1, 1, 1}));
      Operand<TInt32> groupIndex = tf.reshape(tf.range(tf.constant(0), tf.constant(groups), tf.constant(1)),
          tf.constant(new int[] {1, 1, groups, 1}));
      Operand<TInt32> base = tf.math.add(batchBase, groupIndex);
      Operand<TInt32> topBase = tf.math.add(base, top);
      Operand<TInt32> bottomBase = tf.math.add(base, bottom);
      Operand<TInt32> index = tf.concat(List.of(
          tf.math.add(topBase, left), tf.math.add(topBase, right),
          tf.math.add(bottomBase, left), tf.math.add(bottomBase, right)), tf.constant(3));
      Operand<TFloat32> weight = tf.concat(List.of(
          tf.math.mul(gy, gx), tf.math.mul(gy, fx), tf.math.mul(fy, gx), tf.math.mul(fy, fx)), tf.constant(3));
      return new Neighbours(table, index, weight, channels);
    }

    /** {@code first + offset} clamped to {@code [-1, size]}, then shifted by the border: {@code [0, size + 1]}. */
    private static Operand<TInt32> bordered(Ops tf, Operand<TInt32> first, int offset, int size) {
      return tf.clipByValue(tf.math.add(first, tf.constant(offset)), tf.constant(0), tf.constant(size + 1));
    }
  }
}
