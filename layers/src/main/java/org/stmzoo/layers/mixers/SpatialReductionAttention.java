package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.headsDivide;
import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Dropout;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.Padding;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * PVT's spatial-reduction attention on NHWC maps: queries from every position, keys and values from the map
 * reduced by a {@code sr x sr} stride-{@code sr} convolution followed by LayerNorm (no reduction when
 * {@code sr == 1}):
 * <pre>
 * q = q(x)   kv = kv(LN(sr(x)))   out = proj(softmax(q k^T / sqrt(d)) v)
 * </pre>
 * {@code kv} is one Linear to 2C whose first C outputs are the keys, heads split as {@code (head, d)}.
 * Variables: {@code q}, {@code kv}, {@code proj}, and for {@code sr > 1} {@code sr} (conv with bias) and
 * {@code norm}. PVT's Linear and conv layers take the skeleton's trunc-normal(0.02) init.
 */
public final class SpatialReductionAttention implements BandedLayer, EndsInProjection {
  public record Config(int dim, int heads, int srRatio, boolean qkvBias, float normEps, float attnDrop,
      float projDrop) {
    public Config {
      positive("SpatialReductionAttention.Config.dim", dim);
      positive("SpatialReductionAttention.Config.heads", heads);
      positive("SpatialReductionAttention.Config.srRatio", srRatio);
      positiveFinite("SpatialReductionAttention.Config.normEps", normEps);
      rate("SpatialReductionAttention.Config.attnDrop", attnDrop);
      rate("SpatialReductionAttention.Config.projDrop", projDrop);
      headsDivide(dim, heads);
    }

    /** PVT's settings: qkv bias, PyTorch LayerNorm eps, no dropout. */
    public static Config of(int dim, int heads, int srRatio) {
      return new Config(dim, heads, srRatio, true, 1e-5f, 0f, 0f);
    }

    public int headDim() {
      return dim / heads;
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelGraph model;
  private final Dense q;
  private final Dense kv;
  private final Dense proj;
  private final Conv2D reduction;
  private final LayerNorm reductionNorm;
  private final Dropout attnDrop;
  private final Dropout projDrop;

  public SpatialReductionAttention(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.model = scope.model();
    int dim = config.dim();
    q = new Dense(scope.child("q"), dim, dim, config.qkvBias());
    kv = new Dense(scope.child("kv"), dim, 2 * dim, config.qkvBias());
    proj = new Dense(scope.child("proj"), dim, dim, true);
    int sr = config.srRatio();
    if (sr > 1) {
      reduction = new Conv2D(scope.child("sr"), Conv2D.Config.of(dim, dim, sr, sr, Padding.valid(), true));
      reductionNorm = new LayerNorm(scope.child("norm"), dim, config.normEps());
    } else {
      reduction = null;
      reductionNorm = null;
    }
    attnDrop = new Dropout(scope.child("attn_drop"), config.attnDrop());
    projDrop = new Dropout(scope.child("proj_drop"), config.projDrop());
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    List<Operand<TFloat32>> keyValues = keysAndValues(List.of(reduced(input, training)), training);
    return attend(input, keyValues.get(0), keyValues.get(1), training);
  }

  /**
   * On bands: the reduced map in nearly even bands of its rows (7 as 4 and 3), each reduced, normalised and
   * projected to keys and values on its own from the input rows its windows cover (the middle window crosses the
   * bands' edge); the keys and values joined; then each band's queries attend over all of them on their own.
   * Reducing the joined map instead ran the reduction, its norm and the projection on one thread while the other
   * waited (about a tenth of U-PVT's batch-1 step).
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    int reducedRows = Arrays.stream(MapBands.heights(bands)).sum() / config.srRatio();
    List<Operand<TFloat32>> reducedBands = reduction == null
        ? bands
        : MapBands.each(reduction.callBandsNearlyEvenly(bands, Math.min(bands.size(), reducedRows))
            .orElseGet(() -> List.of(reduction.call(MapBands.join(tf, bands), training))),
            r -> reductionNorm.call(r, training));
    List<Operand<TFloat32>> keyValues = keysAndValues(reducedBands, training);
    return MapBands.each(bands, b -> attend(b, keyValues.get(0), keyValues.get(1), training));
  }

  /** Each band attends on its own height; the keys and values come from the joined map. */
  @Override
  public boolean takesUnevenBands() {
    return true;
  }

  /** The map reduced and normalised, or the map itself without reduction. */
  private Operand<TFloat32> reduced(Operand<TFloat32> map, Operand<TBool> training) {
    return reduction == null ? map : reductionNorm.call(reduction.call(map, training), training);
  }

  /**
   * Keys and values {@code [B, heads, M, d]} of the reduced map, given as horizontal bands (top to bottom): each
   * band projected on its own, the bands' keys joined in the map's row-major order.
   */
  private List<Operand<TFloat32>> keysAndValues(List<Operand<TFloat32>> reducedBands, Operand<TBool> training) {
    List<Operand<TFloat32>> parts = MapBands.each(reducedBands, band -> Shapes.reshapeBatch(tf,
        kv.call(band, training), Shapes.dim(band, 1) * Shapes.dim(band, 2), 2, config.heads(), config.headDim()));
    Operand<TFloat32> projected = parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
    // [B, M, 2, heads, d] -> [2, B, heads, M, d]
    return Slices.parts(tf, Shapes.transpose(tf, projected, 2, 0, 3, 1, 4), 2);
  }

  /** Every position of {@code input} attends over the keys and values; the projected result, NHWC. */
  private Operand<TFloat32> attend(Operand<TFloat32> input, Operand<TFloat32> keys, Operand<TFloat32> values,
      Operand<TBool> training) {
    int h = Shapes.dim(input, 1);
    int w = Shapes.dim(input, 2);
    int heads = config.heads();
    int d = config.headDim();
    // [B, N, C] -> [B, heads, N, d]
    Operand<TFloat32> queries = Shapes.transpose(tf,
        Shapes.reshapeBatch(tf, q.call(input, training), h * w, heads, d), 0, 2, 1, 3);
    Operand<TFloat32> out = MultiHeadSelfAttention.attend(tf, model.attentionProducts(training), queries,
        keys, values, (float) Math.pow(d, -0.5), null, attnDrop, training);
    // [B, heads, N, d] -> [B, H, W, C]
    out = Shapes.reshapeBatch(tf, Shapes.transpose(tf, out, 0, 2, 1, 3), h, w, config.dim());
    return projDrop.call(proj.call(out, training), training);
  }

  /** {@code proj}: dropout, the identity at inference, is all that follows it. */
  @Override
  public Projection outputProjection() {
    return proj.outputProjection();
  }
}
