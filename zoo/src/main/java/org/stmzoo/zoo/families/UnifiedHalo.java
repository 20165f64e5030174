package org.stmzoo.zoo.families;

import java.util.List;
import org.stmzoo.layers.mixers.HaloAttention;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * U-Halo (STM-Evaluation, {@code model_factory/halonet_factory.py}, {@code blocks/halonet.py}): the unified
 * skeleton with halo attention (block 7, halo 3, query-related relative positions) as its STM. The
 * {@code UnifiedHaloBlock} is the unified block with PyTorch's LayerNorm eps 1e-5 and layer scales stored as
 * {@code [1,1,1,C]} (so AdamW decays them). Its pre/post stage transforms are only the NCHW/NHWC permutes our
 * NHWC skeleton does not need.
 */
public final class UnifiedHalo {
  static final int BLOCK_SIZE = 7;
  static final int HALO_SIZE = 3;
  static final float NORM_EPS = 1e-5f;

  private UnifiedHalo() {}

  public static List<ModelEntry> entries() {
    return UnifiedAttentionVariant.STANDARD.stream().map(v -> v.entry("halo",
        "block=" + BLOCK_SIZE + " halo=" + HALO_SIZE,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (scope, ctx) -> new HaloAttention(scope,
                new HaloAttention.Config(ctx.dim(), v.heads()[ctx.stage()], BLOCK_SIZE, HALO_SIZE)),
            4.0, NORM_EPS, true)))).toList();
  }
}
