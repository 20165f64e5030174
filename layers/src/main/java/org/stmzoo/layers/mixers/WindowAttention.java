package org.stmzoo.layers.mixers;

import static org.stmzoo.layers.core.ConfigChecks.headsDivide;
import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.List;

import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.attention.MultiHeadSelfAttention.Heads;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.ProductForm;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Swin's window multi-head self-attention (timm 0.6.7 {@code WindowAttention}) on windows of tokens
 * {@code [B, nW, N, C]}, N = window area: fused {@code qkv} Linear with bias, scores
 * {@code q k^T * head_dim^-0.5 + relative position bias (+ shift mask)}, softmax, {@code proj} Linear.
 * Variables: {@code qkv}, {@code proj}, {@code relative_position_bias_table [(2s-1)^2, heads]} (trunc normal
 * 0.02, excluded from weight decay as in the reference's {@code no_weight_decay}). The table's index is a
 * graph constant, not a variable (the reference registers it as a buffer). Attention and projection dropout
 * are 0 in every unified model and are not built.
 */
public final class WindowAttention implements EndsInProjection {
  public record Config(int dim, int heads, int windowSize) {
    public Config {
      positive("WindowAttention.Config.dim", dim);
      positive("WindowAttention.Config.heads", heads);
      positive("WindowAttention.Config.windowSize", windowSize);
      headsDivide(dim, heads);
    }

    public int headDim() {
      return dim / heads;
    }

    public int windowArea() {
      return windowSize * windowSize;
    }
  }

  private final Config config;
  private final Ops tf;
  private final Dense qkv;
  private final Dense proj;
  private final ModelVariable biasTable;

  public WindowAttention(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    int s = config.windowSize();
    this.biasTable = scope.variable("relative_position_bias_table",
        Shape.of((long) (2 * s - 1) * (2 * s - 1), config.heads()), Initializer.truncatedNormal(0.02f),
        VariableRole.RELATIVE_POSITION, false);
    this.qkv = new Dense(scope.child("qkv"), config.dim(), 3 * config.dim(), true);
    this.proj = new Dense(scope.child("proj"), config.dim(), config.dim(), true);
  }

  public Config config() {
    return config;
  }

  /**
   * For tokens i, j of a {@code size x size} window (row-major), the row of the bias table holding their
   * bias: {@code (ri - rj + size - 1) * (2 size - 1) + (ci - cj + size - 1)}, flattened over (i, j).
   */
  public static int[] relativePositionIndex(int size) {
    int n = size * size;
    int[] index = new int[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        int dr = i / size - j / size + size - 1;
        int dc = i % size - j % size + size - 1;
        index[i * n + j] = dr * (2 * size - 1) + dc;
      }
    }
    return index;
  }

  /** The bias table gathered to {@code [heads, N, N]}. */
  Operand<TFloat32> relativePositionBias() {
    int n = config.windowArea();
    // Gathered from an Identity of the variable's read, not from the read itself: TF's gather gradient
    // colocates a Shape of the gathered tensor with it, so with the one read shared by data-parallel replicas on
    // two devices, both replicas' gradients claimed the read's device and placement failed (train --devices 2).
    Operand<TFloat32> gathered = tf.gather(tf.identity(biasTable.value()),
        tf.constant(relativePositionIndex(config.windowSize())), tf.constant(0));
    return Shapes.transpose(tf, tf.reshape(gathered, tf.constant(new int[] {n, n, config.heads()})), 2, 0, 1);
  }

  /**
   * Attention inside each window.
   *
   * @param windows {@code [B, nW, N, C]}
   * @param shiftMask {@code [nW, N, N]} additive mask of shifted windows (0 or -100), or null
   */
  public Operand<TFloat32> call(Operand<TFloat32> windows, Operand<TFloat32> shiftMask, Operand<TBool> training) {
    int numWindows = Shapes.dim(windows, 1);
    int n = Shapes.dim(windows, 2);
    if (n != config.windowArea()) {
      throw new IllegalArgumentException("windows of " + config.windowArea() + " tokens expected, got " + n);
    }
    Heads heads = heads(windows, training);
    Operand<TFloat32> bias = relativePositionBias();
    if (shiftMask != null) {
      // [heads, N, N] + [nW, 1, N, N] -> [nW, heads, N, N], broadcast over the batch of [B, nW, heads, N, N].
      bias = tf.math.add(bias, tf.expandDims(shiftMask, tf.constant(1)));
    }
    return attendAndProject(heads.q(), heads.k(), heads.v(), bias, training);
  }

  /**
   * Attention in one window (no shift mask) whose tokens come as parts {@code [B, 1, N_i, C]}, consecutive runs of
   * its row-major tokens (the bands of a map that is a single window): each part's queries attend over the keys
   * and values of all parts, joined once, with its rows of the bias. The same function as {@link #call} on the
   * joined window, as parts that run side by side but for the join.
   */
  public List<Operand<TFloat32>> callParts(List<Operand<TFloat32>> parts, Operand<TBool> training) {
    int n = parts.stream().mapToInt(p -> Shapes.dim(p, 2)).sum();
    if (n != config.windowArea() || parts.stream().anyMatch(p -> Shapes.dim(p, 1) != 1)) {
      throw new IllegalArgumentException("parts of one window of " + config.windowArea() + " tokens expected, got "
          + parts.stream().map(Operand::shape).toList());
    }
    List<Heads> heads = Heads.overAllParts(tf, parts.stream().map(p -> heads(p, training)).toList(), 3);
    Operand<TFloat32> bias = relativePositionBias();
    List<Operand<TFloat32>> out = new ArrayList<>(parts.size());
    int first = 0;
    for (Heads part : heads) {
      int rows = Shapes.dim(part.q(), 3);
      out.add(attendAndProject(part.q(), part.k(), part.v(), Slices.range(tf, bias, 1, first, first + rows),
          training));
      first += rows;
    }
    return out;
  }

  /** Queries, keys and values {@code [B, nW, heads, N, d]} of windows {@code [B, nW, N, C]}. */
  private Heads heads(Operand<TFloat32> windows, Operand<TBool> training) {
    // [B, nW, N, 3C] -> [3, B, nW, heads, N, d]; qkv's output channel is (part, head, d) as in the reference.
    List<Operand<TFloat32>> parts = Slices.parts(tf, Shapes.transpose(tf, Shapes.reshapeBatch(tf,
        qkv.call(windows, training), Shapes.dim(windows, 1), Shapes.dim(windows, 2), 3, config.heads(),
        config.headDim()), 3, 0, 1, 4, 2, 5), 3);
    return new Heads(parts.get(0), parts.get(1), parts.get(2));
  }

  /** Softmax attention of {@code q} over {@code k}, {@code v} plus {@code bias}, projected: {@code [B, nW, N_q, C]}. */
  private Operand<TFloat32> attendAndProject(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
      Operand<TFloat32> bias, Operand<TBool> training) {
    Operand<TFloat32> out = MultiHeadSelfAttention.attend(tf, ProductForm.forAttention(training), q, k, v,
        (float) Math.pow(config.headDim(), -0.5), bias, Layer.identity(), training);
    // [B, nW, heads, N_q, d] -> [B, nW, N_q, C]
    out = Shapes.reshapeBatch(tf, Shapes.transpose(tf, out, 0, 1, 3, 2, 4), Shapes.dim(q, 1), Shapes.dim(q, 3),
        config.dim());
    return proj.call(out, training);
  }

  /** {@code proj}, the last op of every form of this attention. */
  @Override
  public Projection outputProjection() {
    return proj.outputProjection();
  }
}
