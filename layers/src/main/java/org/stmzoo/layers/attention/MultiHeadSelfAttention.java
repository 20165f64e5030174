package org.stmzoo.layers.attention;

import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Dropout;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
import org.stmzoo.layers.core.Training;
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
      if (dim % heads != 0) {
        throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
      }
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
    this.qkv = new Dense(scope.child("qkv"), linearInit.config(config.dim(), 3 * config.dim(), config.qkvBias()));
    this.proj = new Dense(scope.child("proj"), linearInit.config(config.dim(), config.dim(), true));
    this.attnDrop = new Dropout(scope.child("attn_drop"), config.attnDrop());
    this.projDrop = new Dropout(scope.child("proj_drop"), config.projDrop());
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    int n = Shapes.dim(input, 1);
    int h = config.heads();
    int d = config.headDim();
    // [B, N, 3C] -> [3, B, H, N, D]
    Operand<TFloat32> fused = Shapes.transpose(tf,
        Shapes.reshapeBatch(tf, qkv.call(input, training), n, 3, h, d), 2, 0, 3, 1, 4);
    Operand<TFloat32> q = Slices.take(tf, fused, 0, 0);
    Operand<TFloat32> k = Slices.take(tf, fused, 0, 1);
    Operand<TFloat32> v = Slices.take(tf, fused, 0, 2);
    Operand<TFloat32> out = attend(tf, q, k, v, (float) Math.pow(d, -0.5), null, attnDrop, training);
    // [B, H, N, D] -> [B, N, C]
    out = Shapes.reshapeBatch(tf, Shapes.transpose(tf, out, 0, 2, 1, 3), n, config.dim());
    return projDrop.call(proj.call(out, training), training);
  }

  /**
   * softmax(q k^T * scale + bias) v over the last two axes of {@code [..., Nq, D]} and {@code [..., Nk, D]};
   * {@code bias} (relative positions, masks) may be null. Shared by every attention mixer.
   */
  public static Operand<TFloat32> attend(Ops tf, Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
      float scale, Operand<TFloat32> bias, Layer attnDrop, Operand<TBool> training) {
    // The scale multiplies q rather than the scores: the same products, on the smaller tensor (N x d, not N x N).
    // Einsum where the graph may be trained (its gradients run in oneDNN), BatchMatMulV2 in inference-only graphs.
    boolean trainable = Training.staticValue(training).orElse(true);
    Operand<TFloat32> scaled = tf.math.mul(q, tf.constant(scale));
    Operand<TFloat32> scores = trainable
        ? OneDnnOps.einsumMatMul(tf, scaled, k, false, true)
        : OneDnnOps.batchMatMul(tf, scaled, k, false, true);
    if (bias != null) {
      scores = tf.math.add(scores, bias);
    }
    Operand<TFloat32> weights = attnDrop.call(tf.nn.softmax(scores), training);
    return trainable
        ? OneDnnOps.einsumMatMul(tf, weights, v, false, false)
        : OneDnnOps.batchMatMul(tf, weights, v, false, false);
  }
}
