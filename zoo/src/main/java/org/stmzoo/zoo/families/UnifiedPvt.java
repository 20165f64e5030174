package org.stmzoo.zoo.families;

import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.basic.MapPositionEmbedding;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.mixers.SpatialReductionAttention;
import org.stmzoo.layers.unified.BlockFactory;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * U-PVT (STM-Evaluation, {@code blocks/pvt.py} PvtBlock and {@code model_factory/pvt_factory.py}): the unified
 * skeleton with PVT's spatial-reduction attention as STM. Unlike the plain unified block, the first block of
 * each stage adds a learnable absolute position embedding to its input ({@code pos_embed}, sized for the built
 * image) before the residual branches. The blocks' LayerNorms use PyTorch's eps 1e-5 and their 1-D gammas are
 * not decayed; the 4-D position embedding is (it is not in the reference's no-weight-decay list).
 */
public final class UnifiedPvt {
  record Variant(String size, int[] depths, int[] dims, double[] mlpRatios, float dropPath) {}

  static final int[] HEADS = {1, 2, 5, 8};
  static final int[] SR_RATIOS = {8, 4, 2, 1};
  private static final double[] NARROW_MLP = {8, 8, 4, 4};
  private static final int[] WIDE_DIMS = {64, 128, 320, 512};
  static final float BLOCK_NORM_EPS = 1e-5f;

  static final List<Variant> VARIANTS = List.of(
      new Variant("micro", new int[] {2, 2, 3, 2}, new int[] {32, 64, 160, 256}, NARROW_MLP, 0.0f),
      new Variant("tiny", new int[] {3, 4, 9, 3}, WIDE_DIMS, NARROW_MLP, 0.1f),
      new Variant("small", new int[] {3, 4, 21, 3}, WIDE_DIMS, NARROW_MLP, 0.3f),
      new Variant("base", new int[] {3, 8, 45, 3}, WIDE_DIMS, new double[] {4, 4, 4, 4}, 0.5f));

  private UnifiedPvt() {}

  public static List<ModelEntry> entries() {
    return VARIANTS.stream().map(v -> new ModelEntry(
        "u-pvt-" + v.size(), "unified-pvt", "unified_pvt_" + v.size(), 224, v.dropPath(),
        Preprocessing.imagenet(),
        "depths=" + Arrays.toString(v.depths()) + " dims=" + Arrays.toString(v.dims()) + " heads="
            + Arrays.toString(HEADS) + " sr=" + Arrays.toString(SR_RATIOS) + " mlp=" + Arrays.toString(v.mlpRatios()),
        ModelEntry.multipleOf(32, "the skeleton downsamples by 32"),
        (scope, options, dropPath) -> new UnifiedSkeleton(scope,
            UnifiedSkeleton.Config.of(v.depths(), v.dims(), options.inChannels(), options.numClasses(),
                options.imageSize(), dropPath),
            blocks(v.mlpRatios())))).toList();
  }

  /** PvtBlock: [pos_embed +] unified pre-norm block with SRA, heads/sr/MLP ratio by stage. */
  static BlockFactory blocks(double[] mlpRatios) {
    return (scope, ctx) -> {
      Layer positions = ctx.index() == 0
          ? new MapPositionEmbedding(scope, new MapPositionEmbedding.Config(ctx.height(), ctx.width(), ctx.dim(),
              0.02f, true))
          : Layer.identity();
      UnifiedBlock block = new UnifiedBlock(scope, ctx, new UnifiedBlock.Config(
          (s, c) -> new SpatialReductionAttention(s,
              SpatialReductionAttention.Config.of(c.dim(), HEADS[c.stage()], SR_RATIOS[c.stage()])),
          mlpRatios[ctx.stage()], BLOCK_NORM_EPS, false));
      return Sequential.of(positions, block);
    };
  }
}
