package org.stmzoo.zoo.families.pvt;

import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.BLOCK;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.NAME;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.REF_BLOCK;

import java.util.List;
import org.stmzoo.layers.basic.MapPositionEmbedding;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.mixers.SpatialReductionAttention;
import org.stmzoo.layers.unified.BlockFactory;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.zoo.families.unified.UnifiedKeyMap;
import org.stmzoo.zoo.families.unified.UnifiedModels;
import org.stmzoo.zoo.families.unified.StmEvaluationRelease;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.EmbeddingResize;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * U-PVT (STM-Evaluation, {@code blocks/pvt.py} PvtBlock and {@code model_factory/pvt_factory.py}): the unified
 * skeleton with PVT's spatial-reduction attention as STM. Unlike the plain unified block, the first block of
 * each stage adds a learnable absolute position embedding to its input ({@code pos_embed}, sized for the built
 * image) before the residual branches. The blocks' LayerNorms use PyTorch's eps 1e-5 and their 1-D gammas are
 * not decayed; the 4-D position embedding is (it is not in the reference's no-weight-decay list).
 */
public final class UnifiedPvt implements Family {
  /** One size of the family: per stage depths, dims, heads, spatial-reduction ratios and MLP ratios. */
  public record Variant(String size, int[] depths, int[] dims, int[] heads, int[] srRatios, double[] mlpRatios,
      float dropPath) implements VariantConfig {}

  static final int[] HEADS = {1, 2, 5, 8};
  static final int[] SR_RATIOS = {8, 4, 2, 1};
  private static final double[] NARROW_MLP = {8, 8, 4, 4};
  private static final int[] WIDE_DIMS = {64, 128, 320, 512};
  static final float BLOCK_NORM_EPS = 1e-5f;

  public static final List<Variant> VARIANTS = List.of(
      new Variant("micro", new int[] {2, 2, 3, 2}, new int[] {32, 64, 160, 256}, HEADS, SR_RATIOS, NARROW_MLP,
          0.0f),
      new Variant("tiny", new int[] {3, 4, 9, 3}, WIDE_DIMS, HEADS, SR_RATIOS, NARROW_MLP, 0.1f),
      new Variant("small", new int[] {3, 4, 21, 3}, WIDE_DIMS, HEADS, SR_RATIOS, NARROW_MLP, 0.3f),
      new Variant("base", new int[] {3, 8, 45, 3}, WIDE_DIMS, HEADS, SR_RATIOS, new double[] {4, 4, 4, 4}, 0.5f));

  @Override
  public String name() {
    return "unified-pvt";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(UnifiedPvt::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    return UnifiedModels.entry("pvt", "pvt", v.size(), v.depths(), v.dims(),
        v.dropPath(), v, blocks(v));
  }

  /** PvtBlock: [pos_embed +] unified pre-norm block with SRA, heads/sr/MLP ratio by stage. */
  static BlockFactory blocks(Variant v) {
    return (scope, ctx) -> {
      // Created before the block, as always (variables take their initial values in creation order).
      MapPositionEmbedding positions = ctx.index() == 0
          ? new MapPositionEmbedding(scope, new MapPositionEmbedding.Config(ctx.height(), ctx.width(), ctx.dim(),
              0.02f, true))
          : null;
      UnifiedBlock block = new UnifiedBlock(scope, ctx, new UnifiedBlock.Config(
          (s, c) -> new SpatialReductionAttention(s,
              SpatialReductionAttention.Config.of(c.dim(), v.heads()[c.stage()], v.srRatios()[c.stage()])),
          v.mlpRatios()[ctx.stage()], BLOCK_NORM_EPS, false));
      return positions == null ? block : Sequential.of(positions, block);
    };
  }

  /**
   * PvtBlock: {@code attn.q}, {@code attn.kv}, {@code attn.proj} and, in stages with spatial reduction,
   * {@code attn.sr} (Conv) and {@code attn.norm}; each stage's first block holds the stage's {@code pos_embed}
   * {@code [1, C, H, W]}, imported as NHWC and, for another image size, resized bilinearly with aligned corners
   * (MetaArch's {@code load_state_dict}).
   */
  @Override
  public KeyMap keyMap() {
    return UnifiedKeyMap.transformerBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(q|kv|proj|sr|norm)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "pos_embed", REF_BLOCK + "pos_embed")
        .resize(BLOCK + "pos_embed", EmbeddingResize.bilinearAlignCornersGrid())
        .include(UnifiedKeyMap.skeleton())
        .build();
  }

  /** STM-Evaluation's release (README "All models" table). */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return StmEvaluationRelease.in1k("pvt", "pvt", 72.8, 82.1, 83.2, 83.4);
  }
}
