package org.stmzoo.layers.attention;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.basic.DropPath;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.basic.Residual;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Share;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
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
    public Config {
      positive("TransformerBlock.Config.dim", dim);
      positive("TransformerBlock.Config.heads", heads);
      positiveFinite("TransformerBlock.Config.mlpRatio", mlpRatio);
      positiveFinite("TransformerBlock.Config.normEps", normEps);
      rate("TransformerBlock.Config.dropPath", dropPath);
    }

    public Config withDropPath(float rate) {
      return new Config(dim, heads, mlpRatio, qkvBias, normEps, rate, linearInit);
    }
  }

  private final Ops tf;
  private final int heads;
  private final LayerNorm norm1;
  private final MultiHeadSelfAttention attn;
  private final LayerNorm norm2;
  private final Mlp mlp;
  private final DropPath dropPath;
  private final Layer attentionResidual;
  private final Layer mlpResidual;

  public TransformerBlock(LayerScope scope, Config config) {
    int dim = config.dim();
    this.tf = scope.tf();
    this.heads = config.heads();
    this.norm1 = new LayerNorm(scope.child("norm1"), dim, config.normEps());
    this.attn = new MultiHeadSelfAttention(scope.child("attn"),
        new MultiHeadSelfAttention.Config(dim, config.heads(), config.qkvBias(), 0f, 0f), config.linearInit());
    this.norm2 = new LayerNorm(scope.child("norm2"), dim, config.normEps());
    this.mlp = new Mlp(scope.child("mlp"), Mlp.Config.of(dim, config.mlpRatio()), config.linearInit());
    this.dropPath = new DropPath(scope.child("drop_path"), config.dropPath());
    this.attentionResidual = new Residual(scope.tf(), Sequential.of(norm1, attn), dropPath);
    this.mlpResidual = new Residual(scope.tf(), Sequential.of(norm2, mlp), dropPath);
  }

  /**
   * {@code rates.length} blocks under {@code scope/0}, {@code scope/1}, ..., block {@code i} with drop-path
   * {@code rates[i]}, applied in order. In a graph built with row streams ({@code ModelGraph.inferenceOnly(graph,
   * seed, streams)}) the tokens are cut into that many parts once, go through every block as parts
   * ({@link #callStreams}) and are joined after the last; with frozen weights and few tokens per part the blocks
   * share out their heads and hidden units among the streams instead ({@link #callInShares},
   * {@link ModelGraph#sharesUnits}).
   */
  public static Layer stack(LayerScope scope, Config config, float[] rates) {
    List<TransformerBlock> blocks = new ArrayList<>();
    for (int i = 0; i < rates.length; i++) {
      blocks.add(new TransformerBlock(scope.child(i), config.withDropPath(rates[i])));
    }
    int streams = scope.model().rowStreams();
    return streams > 1 ? new StreamedStack(scope.tf(), scope.model(), blocks, streams)
        : new Sequential(List.copyOf(blocks));
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return mlpResidual.call(attentionResidual.call(input, training), training);
  }

  /**
   * The block on tokens cut along the token axis into parts {@code [B, N_i, C]} (in order): the same function as
   * {@link #call} on their concatenation. Every part's queries attend over the keys and values of all parts,
   * joined once; the rest (norms, projections, MLP, residuals) is per token, so each part runs it alone and the
   * parts are independent chains of ops that TF's inter-op threads can run side by side.
   */
  public List<Operand<TFloat32>> callStreams(List<Operand<TFloat32>> parts, Operand<TBool> training) {
    List<MultiHeadSelfAttention.Heads> heads = new ArrayList<>();
    for (Operand<TFloat32> part : parts) {
      heads.add(attn.heads(norm1.call(part, training), training));
    }
    List<MultiHeadSelfAttention.Heads> joined = MultiHeadSelfAttention.Heads.overAllParts(tf, heads, 2);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      MultiHeadSelfAttention.Heads part = joined.get(i);
      Operand<TFloat32> x = tf.math.add(parts.get(i),
          dropPath.call(attn.output(part.q(), part.k(), part.v(), training), training));
      out.add(tf.math.add(x, dropPath.call(mlp.callUnsplit(norm2.call(x, training), training), training)));
    }
    return out;
  }

  /**
   * The block on the rows {@code [B * n, C]} of {@code n} tokens per image with its heads and MLP hidden units
   * shared out among {@code shares} chains, each over all tokens, for inference: the same function as
   * {@link #call} up to the order of sums. The norms run once on all rows; each chain computes its heads'
   * attention and its hidden units, and its terms of the projections' sums; the residuals add the chains' terms
   * ({@code AddN}). Where a chain would have few token rows, its products run slower per multiply-add than
   * products with all rows and fewer columns ({@link ModelGraph#FEWEST_ROWS_PER_STREAM}).
   */
  public Operand<TFloat32> callInShares(Operand<TFloat32> rows, int n, int shares, Operand<TBool> training) {
    if (Training.staticValue(training).orElse(true)) {
      throw new IllegalArgumentException("a block in shares is for inference: training must be the constant false");
    }
    if (shares > heads) {
      throw new IllegalArgumentException(shares + " shares of " + heads + " heads");
    }
    Operand<TFloat32> normed = norm1.call(rows, training);
    List<Operand<TFloat32>> attention = new ArrayList<>(List.of(rows));
    for (int i = 0; i < shares; i++) {
      attention.add(attn.callHeads(normed, n, training, new Share(i, shares)));
    }
    Operand<TFloat32> x = tf.math.addN(attention);
    Operand<TFloat32> hiddenInput = norm2.call(x, training);
    List<Operand<TFloat32>> mlpTerms = new ArrayList<>(List.of(x));
    for (int i = 0; i < shares; i++) {
      mlpTerms.add(mlp.callHidden(hiddenInput, training, new Share(i, shares)));
    }
    return tf.math.addN(mlpTerms);
  }

  /**
   * Blocks applied in order to tokens cut into {@code streams} parts (fewer tokens than parts: not cut); where the
   * graph says a stream would have too few tokens ({@link ModelGraph#sharesUnits}), the blocks share out their
   * heads and hidden units instead ({@link #callInShares}).
   */
  private record StreamedStack(Ops tf, ModelGraph model, List<TransformerBlock> blocks, int streams)
      implements Layer {
    @Override
    public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
      int n = Shapes.dim(input, 1);
      int c = Shapes.dim(input, 2);
      if (model.sharesUnits(n, training) && blocks.stream().allMatch(b -> b.heads >= streams)) {
        Operand<TFloat32> rows = tf.reshape(input, tf.constant(new long[] {-1, c}));
        for (TransformerBlock block : blocks) {
          rows = block.callInShares(rows, n, streams, training);
        }
        return Shapes.reshapeBatch(tf, rows, n, c);
      }
      if (n < streams) {
        return new Sequential(List.copyOf(blocks)).call(input, training);
      }
      int[] sizes = new int[streams];
      Arrays.fill(sizes, n / streams);
      sizes[streams - 1] = n - (streams - 1) * (n / streams);
      List<Operand<TFloat32>> parts = new ArrayList<>(
          tf.splitV(input, tf.constant(sizes), tf.constant(1), (long) streams).output());
      for (TransformerBlock block : blocks) {
        parts = block.callStreams(parts, training);
      }
      return tf.concat(parts, tf.constant(1));
    }
  }
}
