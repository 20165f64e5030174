package org.stmzoo.layers.mixers;

import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.MacCounter;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.StoredInputGradients;
import org.stmzoo.layers.core.Training;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Bilinear sampling of grouped NHWC maps at arbitrary (learned) locations, built only from ops that have
 * C++ gradients (GatherV2, arithmetic), so it trains in graph mode: the gradient reaches the sampled map
 * through the gather and the locations through the bilinear weights, as in the deformable-attention CUDA
 * kernel's backward. {@link #weightedSum} in a trained graph has that gradient written out instead, so that the
 * gathered rows are not kept for the backward pass.
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
  private static final String WEIGHTED_SUM = "bilinear_weighted_sum";

  static {
    StoredInputGradients.define(WEIGHTED_SUM, BilinearSampler::weightedSumGradients);
  }

  private BilinearSampler() {}

  /**
   * @param value {@code [B, H, W, G, D]}: G groups (heads) of D channels, sampled independently
   * @param y row coordinates {@code [B, L, G, P]}: P points for each of L queries and each group
   * @param x column coordinates, same shape as {@code y}
   * @return {@code [B, L, G, P, D]}, the bilinear value of group g's map at {@code (y, x)}
   */
  public static Operand<TFloat32> sample(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y, Operand<TFloat32> x) {
    Layout layout = Layout.of(value, y, x);
    Neighbours n = Neighbours.of(tf, value, y, x, layout);
    // [B, L, G, 4P, D] -> [B, L, G, 4, P, D], summed over the four neighbours
    Operand<TFloat32> weighted = tf.math.mul(tf.gather(n.table(), n.index(), tf.constant(0)),
        tf.expandDims(n.weight(), tf.constant(-1)));
    return tf.reduceSum(Shapes.reshapeBatch(tf, weighted, layout.queries(), layout.groups(), 4, layout.points(),
        layout.channels()), tf.constant(3));
  }

  /**
   * {@code sum_p weights[.., p] * sample(value, y, x)[.., p, :]} without the per-point samples: the point weights
   * (deformable attention's softmax) fold into the neighbours' bilinear weights, so one batched product of those
   * {@code 4P} weights with the {@code 4P} neighbour rows gives the result.
   *
   * <p>In a graph that may be trained ({@code training} not statically false) the backward pass keeps only the
   * inputs and gathers the neighbour rows again (see {@link #weightedSumGradients}): TF's op-by-op gradient keeps
   * the gathered rows, {@code 4P} copies of the map ({@code [B, L, G, 4P, D]}, 36 for a 3x3 grid) per layer from
   * the forward pass to the backward pass (U-DCNv3-micro's training step at batch 32: peak 6.6 GiB with them, 3.6
   * without).
   *
   * @param weights {@code [B, L, G, P]}, the weight of each point
   * @return {@code [B, L, G, D]}
   */
  public static Operand<TFloat32> weightedSum(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y,
      Operand<TFloat32> x, Operand<TFloat32> weights, Operand<TBool> training) {
    Layout layout = Layout.of(value, y, x);
    Neighbours n = Neighbours.of(tf, value, y, x, layout);
    Operand<TFloat32> perNeighbour = tf.math.mul(n.weight(), fourTimes(tf, weights));
    // [.., 1, 4P] @ [.., 4P, D]: one batched product reads the gathered rows once (a multiply and a sum wrote and
    // read them again); measured 13 % faster at inference and 30 % in training on u-dcnv3-micro. Sampling, not a
    // learned transform: named so that MacCounter leaves it out, as fvcore leaves out the reference's custom op.
    Operand<TFloat32> summed = OneDnnOps.batchMatMul(tf.withName(MacCounter.SAMPLING_PRODUCT),
        tf.expandDims(perNeighbour, tf.constant(-2)),
        tf.gather(n.table(), n.index(), tf.constant(0)), false, false);
    Operand<TFloat32> result = Shapes.reshapeBatch(tf, summed, layout.queries(), layout.groups(), layout.channels());
    if (!Training.staticValue(training).orElse(true)) {
      return result;
    }
    return StoredInputGradients.of(tf, WEIGHTED_SUM, List.of(value, y, x, weights), result, layout.attributes());
  }

  /** {@link #weightedSum} in a graph that is not trained. */
  public static Operand<TFloat32> weightedSum(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y,
      Operand<TFloat32> x, Operand<TFloat32> weights) {
    return weightedSum(tf, value, y, x, weights, tf.constant(false));
  }

  /**
   * The gradients of {@link #weightedSum} from its inputs, the neighbours found and their rows gathered again. With
   * {@code u = w4 * weights} (bilinear times point weight, per neighbour) and {@code r} the gathered rows:
   * {@code du = r . dy}; the map's rows get {@code u * dy}, summed where neighbours share a row (and the zero
   * border's rows dropped); {@code dweights} sums {@code du * w4} over the four neighbours; and since the
   * four bilinear weights are {@code (1-fy)(1-fx), (1-fy)fx, fy(1-fx), fy fx} with {@code fy = y - floor(y)},
   * {@code dy = (dBL - dTL)(1-fx) + (dBR - dTR)fx} and {@code dx = (dTR - dTL)(1-fy) + (dBR - dBL)fy} for
   * {@code dw4 = du * weights}.
   */
  private static List<Operand<TFloat32>> weightedSumGradients(Ops tf, GraphOperation node,
      List<Operand<TFloat32>> inputs, Operand<TFloat32> dy) {
    Layout layout = Layout.of(node);
    Operand<TFloat32> value = inputs.get(0);
    Operand<TFloat32> y = inputs.get(1);
    Operand<TFloat32> x = inputs.get(2);
    Operand<TFloat32> weights = inputs.get(3);
    // (the inputs wait for dy: StoredInputGradients hands them over through identities after it)
    Neighbours n = Neighbours.of(tf, value, y, x, layout);
    Operand<TFloat32> tiled = fourTimes(tf, weights);
    Operand<TFloat32> perNeighbour = tf.math.mul(n.weight(), tiled);
    Operand<TFloat32> rows = tf.gather(n.table(), n.index(), tf.constant(0)); // [B, L, G, 4P, D]

    // [.., 4P, D] @ [.., D, 1]
    Operand<TFloat32> dPerNeighbour = Shapes.reshapeBatch(tf,
        OneDnnOps.batchMatMul(tf, rows, tf.expandDims(dy, tf.constant(-1)), false, false),
        layout.queries(), layout.groups(), 4L * layout.points());
    // the outer product [.., 4P, 1] @ [.., 1, D], as TF differentiates the forward product
    Operand<TFloat32> dRows = OneDnnOps.batchMatMul(tf, tf.expandDims(perNeighbour, tf.constant(-1)),
        tf.expandDims(dy, tf.constant(-2)), false, false);
    Operand<TInt32> tableRows = tf.math.mul(Shapes.batchSize(tf, value), tf.constant(layout.borderedRows()));
    Operand<TFloat32> dTable = tf.math.unsortedSegmentSum(
        tf.reshape(dRows, tf.constant(new int[] {-1, layout.channels()})),
        tf.reshape(n.index(), tf.constant(new int[] {-1})), tf.reshape(tableRows, tf.constant(new int[0])));
    // the border's rows dropped (a slice with constant bounds: Slices asks the graph for the rank)
    Operand<TFloat32> dValue = tf.slice(
        Shapes.reshapeBatch(tf, dTable, layout.height() + 2, layout.width() + 2, layout.groups(), layout.channels()),
        tf.constant(new int[] {0, 1, 1, 0, 0}),
        tf.constant(new int[] {-1, layout.height(), layout.width(), layout.groups(), layout.channels()}));

    Operand<TFloat32> dWeight = tf.math.mul(dPerNeighbour, tiled);
    Operand<TFloat32> dWeights = tf.sum(Shapes.reshapeBatch(tf, tf.math.mul(dPerNeighbour, n.weight()),
        layout.queries(), layout.groups(), 4, layout.points()), tf.constant(3));
    // top-left, top-right, bottom-left, bottom-right
    List<Operand<TFloat32>> d = List.copyOf(tf.split(tf.constant(3), dWeight, 4L).output());
    Operand<TFloat32> dY = tf.math.add(tf.math.mul(tf.math.sub(d.get(2), d.get(0)), n.gx()),
        tf.math.mul(tf.math.sub(d.get(3), d.get(1)), n.fx()));
    Operand<TFloat32> dX = tf.math.add(tf.math.mul(tf.math.sub(d.get(1), d.get(0)), n.gy()),
        tf.math.mul(tf.math.sub(d.get(3), d.get(2)), n.fy()));
    return List.of(dValue, dY, dX, dWeights);
  }

  /** {@code [B, L, G, P]} repeated four times along the last axis: one copy per neighbour. */
  private static Operand<TFloat32> fourTimes(Ops tf, Operand<TFloat32> perPoint) {
    return tf.concat(List.of(perPoint, perPoint, perPoint, perPoint), tf.constant(3));
  }

  /**
   * The sizes of a sampling: the map's {@code H, W, G, D}, the {@code L} queries and {@code P} points. Kept as
   * numbers (the gradient node's attributes) because the gradient rule may not ask the graph for shapes.
   */
  private record Layout(int height, int width, int groups, int channels, int queries, int points) {
    static Layout of(Operand<TFloat32> value, Operand<TFloat32> y, Operand<TFloat32> x) {
      int groups = Shapes.dim(value, 3);
      if (Shapes.dim(y, 2) != groups || Shapes.dim(x, 2) != groups) {
        throw new IllegalArgumentException("locations " + y.shape() + " do not match the " + groups
            + " groups of " + value.shape());
      }
      return new Layout(Shapes.dim(value, 1), Shapes.dim(value, 2), groups, Shapes.dim(value, 4),
          Shapes.dim(y, 1), Shapes.dim(y, 3));
    }

    static Layout of(GraphOperation node) {
      var a = node.attributes();
      return new Layout((int) a.getAttrInt("_height"), (int) a.getAttrInt("_width"), (int) a.getAttrInt("_groups"),
          (int) a.getAttrInt("_channels"), (int) a.getAttrInt("_queries"), (int) a.getAttrInt("_points"));
    }

    Map<String, Number> attributes() {
      return Map.of("_height", (long) height, "_width", (long) width, "_groups", (long) groups,
          "_channels", (long) channels, "_queries", (long) queries, "_points", (long) points);
    }

    /** Rows of one sample's zero-bordered map in the table. */
    int borderedRows() {
      return (height + 2) * (width + 2) * groups;
    }
  }

  /**
   * The four neighbours of every point, neighbour-major along the last axis ({@code [B, L, G, 4P]}: top-left of
   * all points, then top-right, bottom-left, bottom-right): their rows in {@code table} (the zero-bordered map as
   * rows of D channels) and their bilinear weights; and the points' fractional offsets {@code fy = y - floor(y)},
   * {@code fx} and their complements {@code gy = 1 - fy}, {@code gx}, which the weights are products of.
   */
  private record Neighbours(Operand<TFloat32> table, Operand<TInt32> index, Operand<TFloat32> weight,
      Operand<TFloat32> fy, Operand<TFloat32> fx, Operand<TFloat32> gy, Operand<TFloat32> gx) {
    static Neighbours of(Ops tf, Operand<TFloat32> value, Operand<TFloat32> y, Operand<TFloat32> x, Layout layout) {
      int height = layout.height();
      int width = layout.width();
      int groups = layout.groups();
      int channels = layout.channels();
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
              tf.constant(layout.borderedRows())),
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
      return new Neighbours(table, index, weight, fy, fx, gy, gx);
    }

    /** {@code first + offset} clamped to {@code [-1, size]}, then shifted by the border: {@code [0, size + 1]}. */
    private static Operand<TInt32> bordered(Ops tf, Operand<TInt32> first, int offset, int size) {
      return tf.clipByValue(tf.math.add(first, tf.constant(offset)), tf.constant(0), tf.constant(size + 1));
    }
  }
}
