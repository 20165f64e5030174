package org.stmzoo.layers.vit;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveEach;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.attention.ConvTokenPooling;
import org.stmzoo.layers.attention.TokenClassifierHead;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.DropPathSchedule;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.MapPositionEmbedding;
import org.stmzoo.layers.basic.PatchEmbedding;
import org.stmzoo.layers.basic.Tokens;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * PiT, the pooling-based vision transformer (timm 0.6.7 {@code pit.py}, from naver-ai/pit):
 * <pre>
 * patch_embed: conv (kernel patch, stride, no padding) -> map [B, H, W, C0] + pos_embed [1, H, W, C0]
 * stage i:     tokens = [prefix tokens; map as tokens] -> blocks -> split back into prefix tokens and map
 *              pool (i < last): depthwise conv k3 s2 p1 doubling the channels; Linear on the prefix tokens
 * head:        LayerNorm on the prefix tokens -> head on the class token (+ head_dist on the distillation token)
 * </pre>
 * Stage widths are {@code baseDims[i] * heads[i]}. The position embedding covers only the spatial map (the
 * class tokens have none) and is stored NHWC, {@code [1, H, W, C]}, sized for the image size the model is built
 * at. All LayerNorms use eps 1e-6; Linears and convolutions keep PyTorch's default init (PiT re-initialises only
 * its LayerNorms, and pos_embed/cls_token with trunc-normal 0.02).
 * Variable paths follow the reference state_dict: {@code patch_embed/conv}, {@code pos_embed}, {@code cls_token},
 * {@code transformers/i/blocks/j/...}, {@code transformers/i/pool/conv|fc}, {@code norm}, {@code head},
 * {@code head_dist}.
 */
public final class PoolingVisionTransformer implements ImageClassifier {
  public static final float NORM_EPS = 1e-6f;
  /** The pooling always halves the map (timm builds ConvHeadPooling with stride 2). */
  public static final int POOL_STRIDE = 2;

  public record Config(int imageSize, int inChannels, int numClasses, int patch, int stride, int[] baseDims,
      int[] depths, int[] heads, double mlpRatio, boolean distilled, float dropPathRate) {
    public Config {
      // copies: a caller changing its arrays later must not change a built model's config
      baseDims = baseDims.clone();
      depths = depths.clone();
      heads = heads.clone();
      if (baseDims.length != depths.length || heads.length != depths.length) {
        throw new IllegalArgumentException("baseDims, depths and heads need one entry per stage");
      }
      if (depths.length == 0) {
        throw new IllegalArgumentException("PiT needs at least one stage");
      }
      positive("PoolingVisionTransformer.Config.imageSize", imageSize);
      positive("PoolingVisionTransformer.Config.inChannels", inChannels);
      positive("PoolingVisionTransformer.Config.numClasses", numClasses);
      positive("PoolingVisionTransformer.Config.patch", patch);
      positive("PoolingVisionTransformer.Config.stride", stride);
      positiveEach("PoolingVisionTransformer.Config.baseDims", baseDims);
      positiveEach("PoolingVisionTransformer.Config.depths", depths);
      positiveEach("PoolingVisionTransformer.Config.heads", heads);
      positiveFinite("PoolingVisionTransformer.Config.mlpRatio", mlpRatio);
      rate("PoolingVisionTransformer.Config.dropPathRate", dropPathRate);
      if (imageSize < patch) {
        throw new IllegalArgumentException("image size " + imageSize + " is smaller than the patch size " + patch);
      }
    }

    public int stages() {
      return depths.length;
    }

    public int dim(int stage) {
      return baseDims[stage] * heads[stage];
    }

    public int totalBlocks() {
      return Arrays.stream(depths).sum();
    }
  }

  private final Config config;
  private final LayerScope scope;
  private final Ops tf;
  private final int prefixTokens;
  private final MapPositionEmbedding posEmbed;
  private final ModelVariable clsToken;
  private final PatchEmbedding patchEmbed;
  private final List<Layer> stageBlocks = new ArrayList<>();
  private final List<ConvTokenPooling> pools = new ArrayList<>();
  private final int[] stageSizes;
  private final LayerNorm norm;
  private final TokenClassifierHead head;

  public PoolingVisionTransformer(LayerScope scope, Config config) {
    this.config = config;
    this.scope = scope;
    this.tf = scope.tf();
    TokenClassifierHead.Config headConfig = new TokenClassifierHead.Config(
        config.dim(config.stages() - 1), config.numClasses(), config.distilled(), LinearInit.torchDefault());
    this.prefixTokens = headConfig.prefixTokens();
    PatchEmbedding.Config embedConfig =
        new PatchEmbedding.Config(config.inChannels(), config.dim(0), config.patch(), config.stride());
    int grid = embedConfig.gridSize(config.imageSize());
    // timm lists pos_embed as no_weight_decay
    this.posEmbed = new MapPositionEmbedding(scope, new MapPositionEmbedding.Config(grid, grid, config.dim(0), 0.02f,
        false));
    this.clsToken = scope.variable("cls_token", Shape.of(1, prefixTokens, config.dim(0)),
        Initializer.truncatedNormal(0.02f), VariableRole.EMBEDDING);
    this.patchEmbed = new PatchEmbedding(scope.child("patch_embed").child("conv"), embedConfig);

    float[] rates = DropPathSchedule.linear(config.dropPathRate(), config.totalBlocks());
    this.stageSizes = new int[config.stages()];
    int size = grid;
    int first = 0;
    for (int i = 0; i < config.stages(); i++) {
      LayerScope stage = scope.child("transformers").child(i);
      int dim = config.dim(i);
      TransformerBlock.Config block = new TransformerBlock.Config(
          dim, config.heads()[i], config.mlpRatio(), true, NORM_EPS, 0f, LinearInit.torchDefault());
      stageBlocks.add(TransformerBlock.stack(stage.child("blocks"), block,
          Arrays.copyOfRange(rates, first, first + config.depths()[i])));
      first += config.depths()[i];
      stageSizes[i] = size;
      if (i < config.stages() - 1) {
        ConvTokenPooling.Config pool = new ConvTokenPooling.Config(dim, config.dim(i + 1), POOL_STRIDE);
        pools.add(new ConvTokenPooling(stage.child("pool"), pool));
        size = pool.outputSize(size);
      }
    }
    this.norm = new LayerNorm(scope.child("norm"), config.dim(config.stages() - 1), NORM_EPS);
    this.head = new TokenClassifierHead(scope, headConfig);
  }

  public Config config() {
    return config;
  }

  /** The side length of stage {@code i}'s map (27, 14, 7 for PiT-Ti/XS/S at 224). */
  public int stageSize(int stage) {
    return stageSizes[stage];
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    VisionTransformer.requireImageSize("PoolingVisionTransformer", config.imageSize(), images);
    Operand<TFloat32> map = posEmbed.call(patchEmbed.call(images, training), training);
    Operand<TFloat32> prefix = Tokens.expandToBatch(tf, clsToken.value(), map);
    for (int i = 0; i < config.stages(); i++) {
      Operand<TFloat32> tokens = Tokens.concat(tf, List.of(prefix, Tokens.fromMap(tf, map)));
      tokens = stageBlocks.get(i).call(tokens, training);
      prefix = Tokens.leading(tf, tokens, prefixTokens);
      map = Tokens.toMap(tf, Tokens.trailing(tf, tokens, prefixTokens), stageSizes[i], stageSizes[i]);
      scope.model().recordFeature("stage" + i, map);
      if (i < pools.size()) {
        ConvTokenPooling.Pooled pooled = pools.get(i).call(map, prefix, training);
        map = pooled.map();
        prefix = pooled.tokens();
      }
    }
    return head.call(norm.call(prefix, training), training);
  }
}
