package org.stmzoo.zoo.families.halo;

import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.BLOCK;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.NAME;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.REF_BLOCK;

import java.util.List;
import org.stmzoo.layers.mixers.HaloAttention;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.zoo.families.unified.AttentionSizes;
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
 * U-Halo (STM-Evaluation, {@code model_factory/halonet_factory.py}, {@code blocks/halonet.py}): the unified
 * skeleton with halo attention (block 7, halo 3, query-related relative positions) as its STM. The
 * {@code UnifiedHaloBlock} is the unified block with PyTorch's LayerNorm eps 1e-5 and layer scales stored as
 * {@code [1,1,1,C]} (so AdamW decays them). Its pre/post stage transforms are only the NCHW/NHWC permutes our
 * NHWC skeleton does not need.
 */
public final class UnifiedHalo implements Family {
  /** One size of the family: the standard attention sizes and the halo geometry. */
  public record Variant(AttentionSizes sizes, int blockSize, int haloSize) implements VariantConfig {}

  static final int BLOCK_SIZE = 7;
  static final int HALO_SIZE = 3;
  static final float NORM_EPS = 1e-5f;

  public static final List<Variant> VARIANTS =
      AttentionSizes.STANDARD.stream().map(s -> new Variant(s, BLOCK_SIZE, HALO_SIZE)).toList();

  @Override
  public String name() {
    return "unified-halo";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(UnifiedHalo::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    AttentionSizes s = v.sizes();
    return UnifiedModels.entry("halo", "halo", s.size(), s.depths(), s.dims(), s.dropPath(), v,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (scope, ctx) -> new HaloAttention(scope,
                new HaloAttention.Config(ctx.dim(), s.heads()[ctx.stage()], v.blockSize(), v.haloSize())),
            4.0, NORM_EPS, true)));
  }

  /**
   * UnifiedHaloBlock with query-related position embeddings: {@code attn.q} (Linear), {@code attn.kv} (1x1
   * Conv), {@code attn.proj}, {@code attn.pos_embed.height_rel/width_rel}. Its layer scales are stored
   * {@code [1, 1, 1, C]} (they multiply an NHWC map) and lose their unit axes on import. A variant of another
   * window (block + 2 halo) than the checkpoint's gets the relative tables resized linearly with aligned corners,
   * as MetaArch's {@code load_state_dict} does; the registered variants all share the release's window.
   */
  @Override
  public KeyMap keyMap() {
    return UnifiedKeyMap.transformerBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(q|kv|proj)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "mixer/(height_rel|width_rel)", REF_BLOCK + "attn.pos_embed." + NAME)
        .resize(BLOCK + "mixer/(height_rel|width_rel)", EmbeddingResize.linearAlignCornersTable())
        .include(UnifiedKeyMap.skeleton())
        .build();
  }

  /** STM-Evaluation's release (README "All models" table). */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return StmEvaluationRelease.in1k("halo", "halonet", 75.8, 83.0, 84.0, 84.6);
  }
}
