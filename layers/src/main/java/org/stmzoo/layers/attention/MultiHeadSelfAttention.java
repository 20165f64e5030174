package org.stmzoo.layers.attention;

import static org.stmzoo.layers.core.ConfigChecks.headsDivide;
import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Dropout;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ProductForm;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Share;
import org.stmzoo.layers.core.Slices;
import java.util.List;
import java.util.stream.LongStream;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * timm's ViT attention on tokens {@code [B, N, C]}: fused {@code qkv} Linear, scores {@code (q k^T) * head_dim^-0.5},
 * softmax, dropout, weighted sum of v, {@code proj} Linear, dropout.
 */
public final class MultiHeadSelfAttention implements Layer {
  public record Config(int dim, int heads, boolean qkvBias, float attnDrop, float projDrop) {
    public Config {
      positive("MultiHeadSelfAttention.Config.dim", dim);
      positive("MultiHeadSelfAttention.Config.heads", heads);
      rate("MultiHeadSelfAttention.Config.attnDrop", attnDrop);
      rate("MultiHeadSelfAttention.Config.projDrop", projDrop);
      headsDivide(dim, heads);
    }

    public static Config of(int dim, int heads) {
      return new Config(dim, heads, true, 0f, 0f);
    }

    public int headDim() {
      return dim / heads;
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelGraph model;
  private final Dense qkv;
  private final Dense proj;
  private final Dropout attnDrop;
  private final Dropout projDrop;

  public MultiHeadSelfAttention(LayerScope scope, Config config) {
    this(scope, config, LinearInit.timm());
  }

  public MultiHeadSelfAttention(LayerScope scope, Config config, LinearInit linearInit) {
    this.config = config;
    this.tf = scope.tf();
    this.model = scope.model();
    this.qkv = new Dense(scope.child("qkv"), linearInit.config(config.dim(), 3 * config.dim(), config.qkvBias()));
    this.proj = new Dense(scope.child("proj"), linearInit.config(config.dim(), config.dim(), true));
    this.attnDrop = new Dropout(scope.child("attn_drop"), config.attnDrop());
    this.projDrop = new Dropout(scope.child("proj_drop"), config.projDrop());
  }

  /**
   * Queries, keys and values of {@code N} tokens, each {@code [B, H, N, D]} (in windows {@code [B, nW, H, N, D]},
   * {@code WindowAttention}'s).
   */
  public record Heads(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v) {
    /**
     * For {@code parts}, the heads of consecutive runs of one sequence's tokens: each part's queries with the keys
     * and values of all parts, each joined once along the token axis {@code tokenAxis}. What every part's queries
     * attend over where the parts run side by side but for the join.
     */
    public static List<Heads> overAllParts(Ops tf, List<Heads> parts, int tokenAxis) {
      Operand<TFloat32> k = tf.concat(parts.stream().map(Heads::k).toList(), tf.constant(tokenAxis));
      Operand<TFloat32> v = tf.concat(parts.stream().map(Heads::v).toList(), tf.constant(tokenAxis));
      return parts.stream().map(part -> new Heads(part.q(), k, v)).toList();
    }
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    Heads heads = heads(input, training);
    return output(heads.q(), heads.k(), heads.v(), training);
  }

  /** The qkv projection of tokens {@code [B, N, C]}, split into heads. */
  public Heads heads(Operand<TFloat32> input, Operand<TBool> training) {
    return split(qkv.call(input, training), Shapes.dim(input, 1), config.heads());
  }

  /**
   * qkv's output for {@code n} tokens per image and {@code heads} heads ({@code [B, n, 3 h D]} or its rows
   * {@code [B * n, 3 h D]}, columns ordered q|k|v, head, D) as queries, keys and values {@code [B, h, n, D]}.
   */
  private Heads split(Operand<TFloat32> qkvOutput, int n, int heads) {
    // -> [3, B, h, n, D]
    Operand<TFloat32> fused = Shapes.transpose(tf,
        Shapes.reshapeBatch(tf, qkvOutput, n, 3, heads, config.headDim()), 2, 0, 3, 1, 4);
    List<Operand<TFloat32>> parts = Slices.parts(tf, fused, 3);
    return new Heads(parts.get(0), parts.get(1), parts.get(2));
  }

  /** This layer's scaled attention of {@code heads}' queries over their keys and values, {@code [B, h, Nq, D]}. */
  private Operand<TFloat32> attend(Heads heads, Operand<TBool> training) {
    return attend(tf, model.attentionProducts(training), heads.q(), heads.k(), heads.v(),
        (float) Math.pow(config.headDim(), -0.5), null, attnDrop, training);
  }

  /**
   * Attention of queries {@code [B, H, Nq, D]} over keys and values {@code [B, H, Nk, D]}, projected back to
   * tokens {@code [B, Nq, C]}: the rest of {@link #call} after {@link #heads}. Queries are independent of each
   * other, so a block may attend with some of its tokens' queries and all of their keys and values.
   */
  public Operand<TFloat32> output(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
      Operand<TBool> training) {
    int n = Shapes.dim(q, 2);
    Operand<TFloat32> out = attend(new Heads(q, k, v), training);
    // [B, H, N, D] -> [B, N, C]
    out = Shapes.reshapeBatch(tf, Shapes.transpose(tf, out, 0, 2, 1, 3), n, config.dim());
    return projDrop.call(proj.call(out, training), training);
  }

  /**
   * {@code share}'s heads alone on the rows {@code [B * n, C]} of {@code n} tokens per image, for inference (dropout
   * is the identity there): their qkv, attention over all {@code n} tokens, and their term of proj's sum, rows
   * {@code [B * n, C]}. The terms of all shares sum to {@link #call}'s output, proj's bias in the first.
   */
  public Operand<TFloat32> callHeads(Operand<TFloat32> rows, int n, Operand<TBool> training, Share share) {
    int d = config.headDim();
    long[] heads = share.units(config.heads());
    // qkv's output columns are (q|k|v, head, d): this share's heads in each of the three
    long[] columns = new long[3 * heads.length * d];
    int c = 0;
    for (int part = 0; part < 3; part++) {
      for (long head : heads) {
        for (int i = 0; i < d; i++) {
          columns[c++] = (long) part * config.dim() + head * d + i;
        }
      }
    }
    Operand<TFloat32> out = attend(split(qkv.callOutputs(rows, training, columns, share.name()), n, heads.length),
        training);
    // [B, h, n, d] -> [B * n, h d], proj's input features of these heads
    out = tf.reshape(Shapes.transpose(tf, out, 0, 2, 1, 3), tf.constant(new long[] {-1, (long) heads.length * d}));
    long[] features = LongStream.range(share.from(config.heads()) * d, share.to(config.heads()) * d).toArray();
    return proj.callInputs(out, training, features, share.addsBias(), share.name());
  }

  /**
   * softmax(q k^T * scale + bias) v over the last two axes of {@code [..., Nq, D]} and {@code [..., Nk, D]};
   * {@code bias} (relative positions, masks) may be null. Shared by every attention mixer; {@code products} is
   * the graph's {@link org.stmzoo.layers.core.ModelGraph#attentionProducts} (U-Swin's: {@link ProductForm#forAttention}).
   */
  public static Operand<TFloat32> attend(Ops tf, ProductForm products, Operand<TFloat32> q, Operand<TFloat32> k,
      Operand<TFloat32> v, float scale, Operand<TFloat32> bias, Layer attnDrop, Operand<TBool> training) {
    // The scale multiplies q rather than the scores: the same products, on the smaller tensor (N x d, not N x N).
    Operand<TFloat32> scaled = tf.math.mul(q, tf.constant(scale));
    Operand<TFloat32> scores = products.matMul(tf, scaled, k, false, true);
    if (bias != null) {
      scores = tf.math.add(scores, bias);
    }
    Operand<TFloat32> weights = attnDrop.call(tf.nn.softmax(scores), training);
    return products.matMul(tf, weights, v, false, false);
  }
}
