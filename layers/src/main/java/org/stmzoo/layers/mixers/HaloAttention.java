package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.headsDivide;
import static org.stmzoo.layers.core.ConfigChecks.nonNegative;
import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * U-Halo's STM (STM-Evaluation {@code HaloAttn} with {@code pos_embed_type='query_related'}) on NHWC maps.
 * The map is cut into {@code b x b} query blocks; each block attends to the {@code w x w} window
 * ({@code w = b + 2 halo}) around it, built from the zero-padded keys/values.
 * <pre>
 * q  = Linear(x) (no bias)               per block: [B, heads, blocks, b*b, d]
 * kv = 1x1 conv(x) (no bias), padded by halo, windowed: [B, heads, blocks, w*w, 2d]
 * scores = q k^T d^-0.5 + q . height_rel[ky - qy + w - 1] + q . width_rel[kx - qx + w - 1]
 * scores of keys outside the map are masked; softmax; weighted sum of v; proj Linear (bias)
 * </pre>
 * The channel orders follow the reference's reshapes: {@code q} channel {@code head*d + i}; {@code kv} channel
 * {@code head*2d + i} (i &lt; d: key, else value). Variables {@code q}, {@code kv}, {@code height_rel},
 * {@code width_rel} ({@code [2w-1, d]}, N(0, d^-0.5), weight-decayed as the reference's 2-D parameters are),
 * {@code proj}.
 *
 * <p>TF has no gradient for ExtractImagePatches, so the overlapping windows are built with Pad and two Gathers
 * (rows, then columns) that lay them side by side, followed by a plain window partition. The relative logits
 * are {@code q} times both tables, then a Gather of each (query, key) pair's entry: the same numbers as the
 * reference's pad-and-reshape skew.
 *
 * <p>The reference asserts that the map is a multiple of the block. For other sizes (e.g. 16x16 maps of a
 * 64-pixel input) we zero-pad the bottom and right to a block multiple and mask the padded positions as keys,
 * exactly as the reference masks its halo padding; the padded queries are cropped away. At 224 every stage is a
 * multiple of 7 and the reference path is taken unchanged.
 */
public final class HaloAttention implements BandedLayer, EndsInProjection {
  /**
   * @param dim channels in and out (q/k/v widths all equal dim: the reference's qk_ratio 1 with dims that are
   *     multiples of 8)
   */
  public record Config(int dim, int heads, int blockSize, int haloSize) {
    public Config {
      positive("HaloAttention.Config.dim", dim);
      positive("HaloAttention.Config.heads", heads);
      positive("HaloAttention.Config.blockSize", blockSize);
      nonNegative("HaloAttention.Config.haloSize", haloSize);
      headsDivide(dim, heads);
      if (dim % 8 != 0) {
        throw new IllegalArgumentException("the reference rounds the q/k width to a multiple of 8; dim " + dim
            + " would change it");
      }
      if (2 * haloSize > blockSize) {
        throw new IllegalArgumentException("windows are cut from a block and 2 halo of the next one: halo "
            + haloSize + " needs a block of at least " + 2 * haloSize + ", got " + blockSize);
      }
    }

    public int headDim() {
      return dim / heads;
    }

    public int windowSize() {
      return blockSize + 2 * haloSize;
    }
  }

  /** Logit of masked keys: the reference fills them with -finfo(float32).max before the softmax. */
  static final float MASKED = -Float.MAX_VALUE;

  private final Config config;
  private final Ops tf;
  private final ModelGraph model;
  private final Dense q;
  private final Conv2D kv;
  private final ModelVariable heightRel;
  private final ModelVariable widthRel;
  private final Dense proj;

  public HaloAttention(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.model = scope.model();
    int dim = config.dim();
    this.kv = new Conv2D(scope.child("kv"), Conv2D.Config.of(dim, 2 * dim, 1, 1, Padding.valid(), false));
    this.q = new Dense(scope.child("q"), dim, dim, false);
    Shape table = Shape.of(2L * config.windowSize() - 1, config.headDim());
    Initializer init = Initializer.normal((float) Math.pow(config.headDim(), -0.5));
    this.heightRel = scope.variable("height_rel", table, init, VariableRole.RELATIVE_POSITION, true);
    this.widthRel = scope.variable("width_rel", table, init, VariableRole.RELATIVE_POSITION, true);
    this.proj = new Dense(scope.child("proj"), dim, dim, true);
  }

  public Config config() {
    return config;
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    int height = Shapes.dim(input, 1);
    int width = Shapes.dim(input, 2);
    int b = config.blockSize();
    int halo = config.haloSize();
    Operand<TFloat32> x = WindowPartition.padToMultiple(tf, input, b);
    int paddedH = Shapes.dim(x, 1);
    int paddedW = Shapes.dim(x, 2);
    Operand<TFloat32> keyValueMap = tf.pad(kv.call(x, training),
        tf.constant(new int[][] {{0, 0}, {halo, halo}, {halo, halo}, {0, 0}}), tf.constant(0f));
    Operand<TFloat32> out = attendBlocks(q.call(x, training), keyValueMap,
        keyMask(height, width, paddedH, paddedW, b, halo), training);
    return proj.call(WindowPartition.crop(tf, out, height, width), training);
  }

  /**
   * On bands whose heights and width are multiples of the block (every stage at 224): each band's query blocks
   * attend over windows of the keys and values of its rows and {@code halo} rows of each neighbour, zero-padded
   * only at the map's edges, with the whole map's key mask for its blocks. Other sizes run on the joined map.
   */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    int b = config.blockSize();
    int halo = config.haloSize();
    int width = Shapes.dim(bands.get(0), 2);
    int height = 0;
    boolean blockBands = width % b == 0;
    for (Operand<TFloat32> band : bands) {
      int rows = Shapes.dim(band, 1);
      blockBands &= rows % b == 0 && rows >= halo;
      height += rows;
    }
    if (!blockBands) {
      return MapBands.throughJoined(tf, this, bands, training);
    }
    boolean[][] masked = keyMask(height, width, height, width, b, halo);
    int blockColumns = width / b;
    List<Operand<TFloat32>> keyValues = MapBands.each(bands, band -> kv.call(band, training));
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    int firstRow = 0;
    int last = bands.size() - 1;
    for (int i = 0; i <= last; i++) {
      int rows = Shapes.dim(bands.get(i), 1);
      Operand<TFloat32> keyValueMap = tf.pad(MapBands.withHalo(tf, keyValues, i, halo, halo),
          tf.constant(new int[][] {{0, 0}, {i == 0 ? halo : 0, i == last ? halo : 0}, {halo, halo}, {0, 0}}),
          tf.constant(0f));
      boolean[][] bandMask = Arrays.copyOfRange(masked, firstRow / b * blockColumns,
          (firstRow + rows) / b * blockColumns);
      out.add(proj.call(attendBlocks(q.call(bands.get(i), training), keyValueMap, bandMask, training), training));
      firstRow += rows;
    }
    return out;
  }

  /**
   * Query blocks of {@code queryMap} ({@code [B, h, w, C]}, multiples of the block) attending over the windows of
   * {@code keyValueMap}, the keys and values of the same positions and {@code halo} more on every side
   * ({@code [B, h + 2 halo, w + 2 halo, 2C]}); {@code masked}: each block's keys outside the map. The attended
   * values as a map {@code [B, h, w, C]}, before {@code proj}.
   */
  private Operand<TFloat32> attendBlocks(Operand<TFloat32> queryMap, Operand<TFloat32> keyValueMap,
      boolean[][] masked, Operand<TBool> training) {
    int h = Shapes.dim(queryMap, 1);
    int width = Shapes.dim(queryMap, 2);
    int b = config.blockSize();
    int w = config.windowSize();
    int heads = config.heads();
    int d = config.headDim();
    int blocks = (h / b) * (width / b);

    // [B, blocks, b*b, C] -> [B, heads, blocks, b*b, d]
    Operand<TFloat32> queries = splitHeads(WindowPartition.partition(tf, queryMap, b), blocks, b * b, heads, d);
    // [B, blocks, w*w, 2C] -> [B, heads, blocks, w*w, 2d]
    Operand<TFloat32> keyValues = splitHeads(haloWindows(keyValueMap, h, width), blocks, w * w, heads,
        2 * d);
    Operand<TFloat32> keys = Slices.range(tf, keyValues, 4, 0, d);
    Operand<TFloat32> values = Slices.range(tf, keyValues, 4, d, 2 * d);

    // [blocks, 1, w*w]: broadcast over batch, heads and the block's queries.
    Operand<TFloat32> mask = tf.constant(maskLogits(masked));
    Operand<TFloat32> bias = tf.math.add(relativeLogits(queries, blocks), mask);
    Operand<TFloat32> out = MultiHeadSelfAttention.attend(tf, model.attentionProducts(training), queries,
        keys, values, (float) Math.pow(d, -0.5), bias, Layer.identity(), training);
    // [B, heads, blocks, b*b, d] -> [B, blocks, b*b, C] -> [B, h, w, C]
    out = Shapes.reshapeBatch(tf, Shapes.transpose(tf, out, 0, 2, 3, 1, 4), blocks, b * b, config.dim());
    return WindowPartition.reverse(tf, out, b, h, width);
  }

  /** {@code [B, blocks, n, heads * dh] -> [B, heads, blocks, n, dh]}. */
  private Operand<TFloat32> splitHeads(Operand<TFloat32> x, int blocks, int n, int heads, int dh) {
    return Shapes.transpose(tf, Shapes.reshapeBatch(tf, x, blocks, n, heads, dh), 0, 3, 1, 2, 4);
  }

  /**
   * The {@code w x w} window around every block of a map of {@code h x w} positions extended by {@code halo} on
   * every side: {@code [B, blocks, w*w, C]}. Along each axis the windows are placed side by side (window after
   * window), which a non-overlapping partition then cuts apart into blocks.
   */
  private Operand<TFloat32> haloWindows(Operand<TFloat32> padded, int h, int w) {
    Operand<TFloat32> rows = windowsAlong(padded, 1, h);
    Operand<TFloat32> tiled = windowsAlong(rows, 2, w);
    return WindowPartition.partition(tf, tiled, config.windowSize());
  }

  /**
   * Along {@code axis} (1 or 2) of a halo-padded map of {@code length + 2 halo}: the window of every block, block
   * after block, {@code [.., (length / b) w, ..]}. Window i is chunk i of the padded axis cut into chunks of b
   * followed by the first 2 halo entries of chunk i + 1: two slices and a concatenation (copies, with cheap
   * gradients; a gather's gradient is a scatter, a slice per window would sum one map-sized gradient each).
   */
  private Operand<TFloat32> windowsAlong(Operand<TFloat32> padded, int axis, int length) {
    int b = config.blockSize();
    int twoHalo = 2 * config.haloSize();
    int blocks = length / b;
    long[] shape = padded.shape().asArray();
    int[][] extra = new int[4][2];
    extra[axis][1] = b - twoHalo; // (blocks + 1) chunks of b
    Operand<TFloat32> chunked = tf.pad(padded, tf.constant(extra), tf.constant(0f));
    // [B, chunks, b, other, C] (axis 1) or [B, other, chunks, b, C] (axis 2)
    long[] chunkShape = new long[5];
    chunkShape[0] = -1;
    chunkShape[axis] = blocks + 1;
    chunkShape[axis + 1] = b;
    chunkShape[axis == 1 ? 3 : 1] = shape[axis == 1 ? 2 : 1];
    chunkShape[4] = shape[3];
    chunked = tf.reshape(chunked, tf.constant(chunkShape));
    Operand<TFloat32> own = Slices.range(tf, chunked, axis, 0, blocks);
    Operand<TFloat32> next = Slices.range(tf, chunked, new int[] {axis, axis + 1}, new long[] {1, 0},
        new long[] {blocks + 1, twoHalo});
    Operand<TFloat32> windows = tf.concat(List.of(own, next),
        tf.constant(axis + 1));
    long[] out = shape.clone();
    out[0] = -1;
    out[axis] = (long) blocks * config.windowSize();
    return tf.reshape(windows, tf.constant(out));
  }

  /**
   * Query-related relative logits {@code [B, heads, blocks, b*b, w*w]}: each query's dot products with the
   * rows of both tables, then for every (query, key) pair the height entry {@code ky - qy + w - 1} plus the width
   * entry {@code kx - qx + w - 1}. The entries are picked by the "skew" of relative-to-absolute attention
   * (see {@link #skew}) rather than by a gather, whose gradient is a scatter: the same numbers, copied.
   */
  private Operand<TFloat32> relativeLogits(Operand<TFloat32> queries, int blocks) {
    int b = config.blockSize();
    int w = config.windowSize();
    int d = config.headDim();
    // [N, qy, qx, d] with N = batch * heads * blocks; and [N, qx, qy, d] for the height entries
    Operand<TFloat32> q = tf.reshape(queries, tf.constant(new long[] {-1, b, b, d}));
    Operand<TFloat32> qTransposed = tf.reshape(Shapes.transpose(tf, q, 0, 2, 1, 3), tf.constant(new long[] {-1, d}));
    Operand<TFloat32> byColumn = tf.linalg.matMul(tf.reshape(q, tf.constant(new long[] {-1, d})), widthRel.value(),
        org.tensorflow.op.linalg.MatMul.transposeB(true));
    Operand<TFloat32> byRow = tf.linalg.matMul(qTransposed, heightRel.value(),
        org.tensorflow.op.linalg.MatMul.transposeB(true));
    // [N, qy, qx, kx] and [N, qx, qy, ky] -> [N, qy, qx, ky]
    Operand<TFloat32> widthLogits = skew(byColumn, b, w);
    Operand<TFloat32> heightLogits = Shapes.transpose(tf, skew(byRow, b, w), 0, 2, 1, 3);
    Operand<TFloat32> logits = tf.math.add(
        tf.reshape(heightLogits, tf.constant(new long[] {-1, b, b, w, 1})),
        tf.reshape(widthLogits, tf.constant(new long[] {-1, b, b, 1, w})));
    return Shapes.reshapeBatch(tf, logits, config.heads(), blocks, (long) b * b, (long) w * w);
  }

  /**
   * {@code [M * b * b, 2w - 1]} dot products of queries at offsets i (the last of two query axes) with the table
   * rows, to {@code [M, b, b, w]}: entry k of query i is its dot product with row {@code k - i + w - 1}. Each
   * group of b queries' rows is padded to 2w entries, flattened, cut to {@code b (2w - 1)} and read back as rows
   * of 2w - 1: row i then starts i entries earlier, so entries {@code w - 1 .. 2w - 2} are the wanted ones.
   */
  private Operand<TFloat32> skew(Operand<TFloat32> dots, int b, int w) {
    int rows = 2 * w - 1;
    Operand<TFloat32> padded = tf.pad(tf.reshape(dots, tf.constant(new long[] {-1, b, rows})),
        tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 1}}), tf.constant(0f));
    Operand<TFloat32> flat = Slices.range(tf,
        tf.reshape(padded, tf.constant(new long[] {-1, (long) b * (rows + 1)})), 1, 0, (long) b * rows);
    Operand<TFloat32> shifted = Slices.range(tf, tf.reshape(flat, tf.constant(new long[] {-1, b, rows})), 2,
        w - 1, rows);
    return tf.reshape(shifted, tf.constant(new long[] {-1, b, b, w}));
  }

  /**
   * Whether each key of each block's window lies outside the {@code height x width} map (halo padding, or the
   * padding up to a block multiple): {@code [blocks][w*w]}, blocks row-major over the padded map.
   */
  public static boolean[][] keyMask(int height, int width, int paddedH, int paddedW, int blockSize, int haloSize) {
    int w = blockSize + 2 * haloSize;
    int blockCols = paddedW / blockSize;
    boolean[][] masked = new boolean[(paddedH / blockSize) * blockCols][w * w];
    for (int blk = 0; blk < masked.length; blk++) {
      int top = blk / blockCols * blockSize - haloSize;
      int left = blk % blockCols * blockSize - haloSize;
      for (int k = 0; k < w * w; k++) {
        int r = top + k / w;
        int c = left + k % w;
        masked[blk][k] = r < 0 || r >= height || c < 0 || c >= width;
      }
    }
    return masked;
  }

  /** The key mask as additive logits {@code [blocks, 1, w*w]}. */
  private static float[][][] maskLogits(boolean[][] masked) {
    float[][][] logits = new float[masked.length][1][masked[0].length];
    for (int blk = 0; blk < masked.length; blk++) {
      for (int k = 0; k < masked[blk].length; k++) {
        logits[blk][0][k] = masked[blk][k] ? MASKED : 0f;
      }
    }
    return logits;
  }

  /** {@code proj}, after the blocks are put back and cropped. */
  @Override
  public Projection outputProjection() {
    return proj.outputProjection();
  }
}
