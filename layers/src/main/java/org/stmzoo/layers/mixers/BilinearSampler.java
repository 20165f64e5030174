package org.stmzoo.layers.mixers;

import java.util.List;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
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
    int height = Shapes.dim(value, 1);
    int width = Shapes.dim(value, 2);
    int groups = Shapes.dim(value, 3);
    int channels = Shapes.dim(value, 4);
    if (Shapes.dim(y, 2) != groups || Shapes.dim(x, 2) != groups) {
      throw new IllegalArgumentException("locations " + y.shape() + " do not match the " + groups + " groups of "
          + value.shape());
    }
    // The integer corners carry no gradient (floor is piecewise constant); the fractions carry all of it.
    Operand<TFloat32> y0 = tf.stopGradient(tf.math.floor(y));
    Operand<TFloat32> x0 = tf.stopGradient(tf.math.floor(x));
    Operand<TFloat32> fy = tf.math.sub(y, y0);
    Operand<TFloat32> fx = tf.math.sub(x, x0);
    Operand<TFloat32> gy = tf.math.sub(tf.constant(1f), fy);
    Operand<TFloat32> gx = tf.math.sub(tf.constant(1f), fx);
    Operand<TInt32> row0 = tf.dtypes.cast(y0, TInt32.class);
    Operand<TInt32> col0 = tf.dtypes.cast(x0, TInt32.class);
    Operand<TInt32> row1 = tf.math.add(row0, tf.constant(1));
    Operand<TInt32> col1 = tf.math.add(col0, tf.constant(1));

    // value as rows of D channels, row index ((b * H + row) * W + col) * G + g
    Operand<TFloat32> table = tf.reshape(value, tf.constant(new int[] {-1, channels}));
    Operand<TInt32> batch = tf.slice(tf.shape(value), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> batchBase = tf.reshape(
        tf.math.mul(tf.range(tf.constant(0), tf.reshape(batch, tf.constant(new int[0])), tf.constant(1)),
            tf.constant(height * width * groups)),
        tf.constant(new int[] {-1, 1, 1, 1}));
    Operand<TInt32> groupIndex = tf.reshape(tf.range(tf.constant(0), tf.constant(groups), tf.constant(1)),
        tf.constant(new int[] {1, 1, groups, 1}));
    Operand<TInt32> base = tf.math.add(batchBase, groupIndex);

    Operand<TFloat32> sum = null;
    for (Corner corner : List.of(
        new Corner(row0, col0, tf.math.mul(gy, gx)),
        new Corner(row0, col1, tf.math.mul(gy, fx)),
        new Corner(row1, col0, tf.math.mul(fy, gx)),
        new Corner(row1, col1, tf.math.mul(fy, fx)))) {
      Operand<TFloat32> term = corner.read(tf, table, base, height, width, groups);
      sum = sum == null ? term : tf.math.add(sum, term);
    }
    return sum;
  }

  /** One of the four neighbours of every sample: its integer position and its bilinear weight. */
  private record Corner(Operand<TInt32> row, Operand<TInt32> col, Operand<TFloat32> weight) {
    /** {@code weight * value[row, col]}, zero where the neighbour lies outside the map. */
    Operand<TFloat32> read(Ops tf, Operand<TFloat32> table, Operand<TInt32> base, int height, int width,
        int groups) {
      Operand<TBool> inside = tf.math.logicalAnd(
          tf.math.logicalAnd(tf.math.greaterEqual(row, tf.constant(0)), tf.math.less(row, tf.constant(height))),
          tf.math.logicalAnd(tf.math.greaterEqual(col, tf.constant(0)), tf.math.less(col, tf.constant(width))));
      // Clamp so the gather stays in range; the mask then zeroes what was clamped.
      Operand<TInt32> r = tf.clipByValue(row, tf.constant(0), tf.constant(height - 1));
      Operand<TInt32> c = tf.clipByValue(col, tf.constant(0), tf.constant(width - 1));
      Operand<TInt32> index = tf.math.add(base,
          tf.math.mul(tf.math.add(tf.math.mul(r, tf.constant(width)), c), tf.constant(groups)));
      Operand<TFloat32> gathered = tf.gather(table, index, tf.constant(0));
      Operand<TFloat32> masked = tf.math.mul(weight, tf.dtypes.cast(inside, TFloat32.class));
      return tf.math.mul(gathered, tf.expandDims(masked, tf.constant(-1)));
    }
  }
}
