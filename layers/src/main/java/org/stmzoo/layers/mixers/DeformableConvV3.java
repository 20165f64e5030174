package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.positiveOdd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * U-DCNv3's STM, STM-Evaluation's {@code MSDeformAttnGrid_softmax} with one level, on NHWC maps:
 * <pre>
 * q      = GELU(LN(depthwise kxk conv(x)))                  (dw_conv: conv, norm)
 * value  = value_proj(x), zero-padded by grid/2 pixels, split in G groups of C/G channels
 * offset = sampling_offsets(q)  [G, P, (dx, dy)]           attention = softmax over P of attention_weights(q)
 * out    = output_proj( sum_p attention_p * bilinear(value_g, position + grid_p + offset_p) )
 * </pre>
 * with P = grid x grid points on the regular grid of spacing 1 around each position. Sampling follows the
 * reference's deformable-attention kernel (see {@link BilinearSampler}): zero beyond the padded map.
 *
 * <p>The reference builds the grid with {@code meshgrid(ys, xs)} stacked as (y, x) but adds it to locations
 * stored as (x, y), so point {@code p = i * grid + j} sits at column offset {@code i - grid/2} and row offset
 * {@code j - grid/2}: the point order is transposed. We keep that order, so imported offset/weight
 * projections mean the same points. Offsets are pixel offsets (the reference's offsets_scaler is 1).
 *
 * <p>The reference computes normalised locations {@code (r + pad + 0.5 + grid + offset) / Hp} and the kernel
 * maps them back with {@code * Hp - 0.5}; we use the equal pixel coordinate {@code r + pad + grid + offset}
 * directly (differences are float rounding only).
 *
 * <p>Variables: {@code dw_conv/conv}, {@code dw_conv/norm}, {@code sampling_offsets}, {@code attention_weights},
 * {@code value_proj}, {@code output_proj}. Every Linear and the conv use the skeleton's trunc-normal(0.02)
 * init: MetaArch re-initialises all of them after the module's own zero/xavier init.
 *
 * @param groups number of groups ("heads"); each samples its own offsets and weights
 * @param gridSize sampling grid side (3: 9 points); the value is zero-padded by gridSize/2
 * @param dwKernel kernel of the depthwise conv computing offsets and weights
 */
public final class DeformableConvV3 implements BandedLayer, EndsInProjection {
  public record Config(int dim, int groups, int gridSize, int dwKernel, float normEps) {
    public Config {
      positive("DeformableConvV3.Config.dim", dim);
      positive("DeformableConvV3.Config.groups", groups);
      // the grid is centred on each position and the conv keeps the map's size: both need odd sides
      positiveOdd("DeformableConvV3.Config.gridSize", gridSize);
      positiveOdd("DeformableConvV3.Config.dwKernel", dwKernel);
      positiveFinite("DeformableConvV3.Config.normEps", normEps);
      if (dim % groups != 0) {
        throw new IllegalArgumentException("dim " + dim + " is not divisible by " + groups + " groups");
      }
    }

    /** STM-Evaluation's U-DCNv3: a 3x3 grid, 3x3 depthwise conv, PyTorch LayerNorm eps. */
    public static Config of(int dim, int groups) {
      return new Config(dim, groups, 3, 3, 1e-5f);
    }

    public int points() {
      return gridSize * gridSize;
    }

    public int padding() {
      return gridSize / 2;
    }
  }

  private final Config config;
  private final Ops tf;
  private final Conv2D dwConv;
  private final LayerNorm dwNorm;
  private final Dense samplingOffsets;
  private final Dense attentionWeights;
  private final Dense valueProj;
  private final Dense outputProj;

  public DeformableConvV3(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    int dim = config.dim();
    int k = config.dwKernel();
    LayerScope dw = scope.child("dw_conv");
    dwConv = new Conv2D(dw.child("conv"), Conv2D.Config.of(dim, dim, k, 1, Padding.same(k), true).withGroups(dim));
    dwNorm = new LayerNorm(dw.child("norm"), dim, config.normEps());
    samplingOffsets = new Dense(scope.child("sampling_offsets"), dim, config.groups() * config.points() * 2, true);
    attentionWeights = new Dense(scope.child("attention_weights"), dim, config.groups() * config.points(), true);
    valueProj = new Dense(scope.child("value_proj"), dim, dim, true);
    outputProj = new Dense(scope.child("output_proj"), dim, dim, true);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    Operand<TFloat32> query = query(dwConv.call(input, training), training);
    return sample(query, paddedValue(valueProj.call(input, training)), 0, training);
  }

  /**
   * On bands: each band's queries (the depthwise conv takes its neighbours' halo rows, {@link Conv2D#callBands})
   * sample the value of the whole map, joined once, since an offset may reach any row.
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    Optional<List<Operand<TFloat32>>> convolved = dwConv.callBands(bands);
    if (convolved.isEmpty()) {
      return MapBands.throughJoined(tf, this, bands, training);
    }
    Operand<TFloat32> value = paddedValue(MapBands.join(tf, MapBands.each(bands, b -> valueProj.call(b, training))));
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    int firstRow = 0;
    for (int i = 0; i < bands.size(); i++) {
      out.add(sample(query(convolved.get().get(i), training), value, firstRow, training));
      firstRow += Shapes.dim(bands.get(i), 1);
    }
    return out;
  }

  /** Each band samples from its own first row and height; the value is the joined map's. */
  @Override
  public boolean takesUnevenBands() {
    return true;
  }

  private Operand<TFloat32> query(Operand<TFloat32> convolved, Operand<TBool> training) {
    return Activations.gelu(tf, dwNorm.call(convolved, training), training);
  }

  /** The projected value zero-padded by the grid's reach, as {@code [B, H + 2 pad, W + 2 pad, G, C/G]}. */
  private Operand<TFloat32> paddedValue(Operand<TFloat32> projected) {
    int pad = config.padding();
    Operand<TFloat32> value = tf.pad(projected,
        tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
    return Shapes.reshapeBatch(tf, value, Shapes.dim(projected, 1) + 2 * pad, Shapes.dim(projected, 2) + 2 * pad,
        config.groups(), config.dim() / config.groups());
  }

  /**
   * The mixer's output at the queries' positions, rows {@code firstRow ...} of the map whose padded value is
   * {@code value}: offsets and attention weights from each query, bilinear samples summed, projected.
   */
  private Operand<TFloat32> sample(Operand<TFloat32> query, Operand<TFloat32> value, int firstRow,
      Operand<TBool> training) {
    int h = Shapes.dim(query, 1);
    int w = Shapes.dim(query, 2);
    int g = config.groups();
    int p = config.points();
    // [B, L, G, P, 2], the last axis (dx, dy) as in the reference
    Operand<TFloat32> offsets = Shapes.reshapeBatch(tf, samplingOffsets.call(query, training), h * w, g, p, 2);
    Operand<TFloat32> dx = Slices.take(tf, offsets, 4, 0);
    Operand<TFloat32> dy = Slices.take(tf, offsets, 4, 1);
    Operand<TFloat32> rows = tf.math.add(tf.constant(basePositions(firstRow, h, w, true)), dy);
    Operand<TFloat32> cols = tf.math.add(tf.constant(basePositions(firstRow, h, w, false)), dx);

    Operand<TFloat32> attention = tf.nn.softmax(
        Shapes.reshapeBatch(tf, attentionWeights.call(query, training), h * w, g, p));
    // [B, L, G, D]
    Operand<TFloat32> mixed = BilinearSampler.weightedSum(tf, value, rows, cols, attention, training);
    return outputProj.call(Shapes.reshapeBatch(tf, mixed, h, w, config.dim()), training);
  }

  /**
   * The undeformed sampling positions in the padded map, {@code [1, h*w, 1, P]}, for queries on rows
   * {@code firstRow ... firstRow + h - 1}: row (or column) of the query plus the padding plus grid point p's row
   * (column) offset, in the reference's transposed point order.
   */
  float[][][][] basePositions(int firstRow, int h, int w, boolean row) {
    int grid = config.gridSize();
    int half = grid / 2;
    float[][][][] out = new float[1][h * w][1][grid * grid];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        for (int i = 0; i < grid; i++) {
          for (int j = 0; j < grid; j++) {
            // point i*grid+j: column offset i - half, row offset j - half
            out[0][r * w + c][0][i * grid + j] = row ? firstRow + r + half + (j - half) : c + half + (i - half);
          }
        }
      }
    }
    return out;
  }

  /** {@code output_proj}. */
  @Override
  public Projection outputProjection() {
    return outputProj.outputProjection();
  }
}
