package org.stmzoo.layers.vit;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.attention.TokenClassifierHead;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.DropPathSchedule;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.basic.PatchEmbedding;
import org.stmzoo.layers.basic.Tokens;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * timm 0.6.7's {@code VisionTransformer} with a class token (DeiT), and {@code VisionTransformerDistilled}
 * with a distillation token beside it:
 * <pre>
 * tokens = [cls_token; (dist_token;) patch_embed(x) as tokens] + pos_embed -> blocks -> LayerNorm
 * head on token 0 (+ head_dist on token 1)
 * </pre>
 * {@code patch_embed/proj} cuts the image into disjoint {@code patch x patch} patches. The position embedding
 * {@code [1, T + N, C]} covers the prefix tokens and the patches, sized for the image size the model is built
 * at. LayerNorm eps 1e-6; Linears trunc-normal(0.02) with zero bias, pos_embed and dist_token trunc-normal(0.02),
 * cls_token normal(1e-6), patch conv PyTorch's default (timm's {@code init_weights_vit_timm}).
 * Variable paths: {@code cls_token}, {@code dist_token}, {@code pos_embed}, {@code patch_embed/proj},
 * {@code blocks/j/...}, {@code norm}, {@code head}, {@code head_dist}.
 */
public final class VisionTransformer implements ImageClassifier {
  public static final float NORM_EPS = 1e-6f;

  public record Config(int imageSize, int inChannels, int numClasses, int patch, int dim, int depth, int heads,
      double mlpRatio, boolean distilled, float dropPathRate) {
    public Config {
      positive("VisionTransformer.Config.imageSize", imageSize);
      positive("VisionTransformer.Config.inChannels", inChannels);
      positive("VisionTransformer.Config.numClasses", numClasses);
      positive("VisionTransformer.Config.patch", patch);
      positive("VisionTransformer.Config.dim", dim);
      positive("VisionTransformer.Config.depth", depth);
      positive("VisionTransformer.Config.heads", heads);
      positiveFinite("VisionTransformer.Config.mlpRatio", mlpRatio);
      rate("VisionTransformer.Config.dropPathRate", dropPathRate);
      if (imageSize < patch) {
        throw new IllegalArgumentException("image size " + imageSize + " is smaller than the patch size " + patch);
      }
    }
  }

  private final Ops tf;
  private final LayerScope scope;
  private final int imageSize;
  private final List<ModelVariable> prefixTokens = new ArrayList<>();
  private final ModelVariable posEmbed;
  private final PatchEmbedding patchEmbed;
  private final Layer blocks;
  private final LayerNorm norm;
  private final TokenClassifierHead head;
  private final int grid;

  public VisionTransformer(LayerScope scope, Config config) {
    this.tf = scope.tf();
    this.scope = scope;
    this.imageSize = config.imageSize();
    int dim = config.dim();
    prefixTokens.add(scope.variable("cls_token", Shape.of(1, 1, dim), Initializer.normal(1e-6f),
        VariableRole.EMBEDDING));
    if (config.distilled()) {
      prefixTokens.add(scope.variable("dist_token", Shape.of(1, 1, dim), Initializer.truncatedNormal(0.02f),
          VariableRole.EMBEDDING));
    }
    PatchEmbedding.Config embedConfig =
        new PatchEmbedding.Config(config.inChannels(), dim, config.patch(), config.patch());
    this.grid = embedConfig.gridSize(config.imageSize());
    this.posEmbed = scope.variable("pos_embed", Shape.of(1, prefixTokens.size() + (long) grid * grid, dim),
        Initializer.truncatedNormal(0.02f), VariableRole.EMBEDDING);
    this.patchEmbed = new PatchEmbedding(scope.child("patch_embed").child("proj"), embedConfig);
    this.blocks = TransformerBlock.stack(scope.child("blocks"),
        new TransformerBlock.Config(dim, config.heads(), config.mlpRatio(), true, NORM_EPS, 0f, LinearInit.timm()),
        DropPathSchedule.linear(config.dropPathRate(), config.depth()));
    this.norm = new LayerNorm(scope.child("norm"), dim, NORM_EPS);
    this.head = new TokenClassifierHead(scope,
        new TokenClassifierHead.Config(dim, config.numClasses(), config.distilled(), LinearInit.timm()));
  }

  /**
   * Refuses images {@code [N, H, W, C]} whose static size is not the built one, naming {@code model}: the position
   * embedding has one entry per patch of that size (timm's PatchEmbed asserts the same). An unknown size passes.
   */
  static void requireImageSize(String model, int imageSize, Operand<TFloat32> images) {
    Shape shape = images.shape();
    Shapes.requireBuiltSize(shape.get(1), shape.get(2), imageSize, imageSize, () -> model + " built for " + imageSize
        + "x" + imageSize + " images (its position embedding has one entry per patch of them) got images " + shape);
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    requireImageSize("VisionTransformer", imageSize, images);
    Operand<TFloat32> patches = patchEmbed.tokens(images, training);
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (ModelVariable token : prefixTokens) {
      parts.add(Tokens.expandToBatch(tf, token.value(), patches));
    }
    parts.add(patches);
    Operand<TFloat32> tokens = tf.math.add(Tokens.concat(tf, parts), posEmbed.value());
    tokens = blocks.call(tokens, training);
    scope.model().recordFeature("tokens", tokens);
    // The patch tokens after the last block as the one stage's map (no op runs unless an analysis fetches it):
    // what the effective-receptive-field analysis reads at its central position.
    scope.model().recordFeature("stage0",
        Tokens.toMap(tf, Tokens.trailing(tf, tokens, prefixTokens.size()), grid, grid));
    // The final LayerNorm is per token, so normalising only the prefix tokens the heads read is the same.
    return head.call(norm.call(Tokens.leading(tf, tokens, prefixTokens.size()), training), training);
  }
}
