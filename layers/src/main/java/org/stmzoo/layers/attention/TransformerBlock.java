package org.stmzoo.layers.attention;

import org.stmzoo.layers.basic.DropPath;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.basic.Residual;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * timm's pre-norm ViT {@code Block} on tokens {@code [B, N, C]} (without layer scale):
 * {@code x = x + DropPath(Attn(LN(x))); x = x + DropPath(MLP(LN(x)))}.
 * Variables: {@code norm1}, {@code attn/qkv|proj}, {@code norm2}, {@code mlp/fc1|fc2}, as timm's state_dict.
 */
public final class TransformerBlock implements Layer {
  /**
   * @param normEps eps of both LayerNorms (1e-6 in timm's ViT, DeiT and PiT)
   * @param dropPath this block's stochastic-depth rate
   * @param linearInit how the attention and MLP Linears are initialised
   */
  public record Config(int dim, int heads, double mlpRatio, boolean qkvBias, float normEps, float dropPath,
      LinearInit linearInit) {
    public Config withDropPath(float rate) {
      return new Config(dim, heads, mlpRatio, qkvBias, normEps, rate, linearInit);
    }
  }

  private final Layer attentionResidual;
  private final Layer mlpResidual;

  public TransformerBlock(LayerScope scope, Config config) {
    int dim = config.dim();
    LayerNorm norm1 = new LayerNorm(scope.child("norm1"), dim, config.normEps());
    MultiHeadSelfAttention attn = new MultiHeadSelfAttention(scope.child("attn"),
        new MultiHeadSelfAttention.Config(dim, config.heads(), config.qkvBias(), 0f, 0f), config.linearInit());
    LayerNorm norm2 = new LayerNorm(scope.child("norm2"), dim, config.normEps());
    Mlp mlp = new Mlp(scope.child("mlp"), Mlp.Config.of(dim, config.mlpRatio()), config.linearInit());
    DropPath dropPath = new DropPath(scope.child("drop_path"), config.dropPath());
    this.attentionResidual = new Residual(scope.tf(), Sequential.of(norm1, attn), dropPath);
    this.mlpResidual = new Residual(scope.tf(), Sequential.of(norm2, mlp), dropPath);
  }

  /**
   * {@code rates.length} blocks under {@code scope/0}, {@code scope/1}, ..., block {@code i} with drop-path
   * {@code rates[i]}, applied in order.
   */
  public static Sequential stack(LayerScope scope, Config config, float[] rates) {
    Layer[] blocks = new Layer[rates.length];
    for (int i = 0; i < rates.length; i++) {
      blocks[i] = new TransformerBlock(scope.child(i), config.withDropPath(rates[i]));
    }
    return Sequential.of(blocks);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return mlpResidual.call(attentionResidual.call(input, training), training);
  }
}
