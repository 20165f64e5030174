package org.stmzoo.zoo.families.swin;

import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.BLOCK;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.NAME;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.REF_BLOCK;

import java.util.List;
import org.stmzoo.layers.mixers.SwinMixer;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
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
 * U-Swin (STM-Evaluation, {@code model_factory/swin_factory.py}, {@code blocks/swin.py}): the unified skeleton
 * with shifted-window attention (window 7, shift 3 on odd blocks of a stage) as its STM. The reference
 * {@code SwinBlock} is the unified block with LayerNorm2d (eps 1e-6) and 1-D layer scales (not decayed).
 */
public final class UnifiedSwin implements Family {
  /** One size of the family: the standard attention sizes and the window. */
  public record Variant(AttentionSizes sizes, int windowSize) implements VariantConfig {}

  static final int WINDOW_SIZE = 7;

  public static final List<Variant> VARIANTS =
      AttentionSizes.STANDARD.stream().map(s -> new Variant(s, WINDOW_SIZE)).toList();

  @Override
  public String name() {
    return "unified-swin";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(UnifiedSwin::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    AttentionSizes s = v.sizes();
    return UnifiedModels.entry("swin", "swin", s.size(), s.depths(), s.dims(), s.dropPath(), v,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (scope, ctx) -> new SwinMixer(scope, new SwinMixer.Config(ctx.dim(), s.heads()[ctx.stage()],
                v.windowSize(), ctx.height(), ctx.width(), ctx.index() % 2 == 1)),
            4.0, UnifiedSkeleton.NORM_EPS, false)));
  }

  /**
   * SwinBlock (timm's WindowAttention): {@code attn.qkv}, {@code attn.proj},
   * {@code attn.relative_position_bias_table}. The buffers {@code attn.relative_position_index} and the shifted
   * blocks' {@code attn_mask} are functions of the window size and resolution that stmzoo derives itself, so
   * they are dropped (as MetaArch's own {@code load_state_dict} does). Where a small map shrinks the window, the
   * bias table is resized bicubically, as that {@code load_state_dict} does.
   */
  @Override
  public KeyMap keyMap() {
    return UnifiedKeyMap.transformerBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(qkv|proj)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "mixer/relative_position_bias_table", REF_BLOCK + "attn.relative_position_bias_table")
        .ignore("stages\\.\\d+\\.\\d+\\.(attn\\.relative_position_index|attn_mask)")
        .resize(BLOCK + "mixer/relative_position_bias_table", EmbeddingResize.relativePositionTable())
        .include(UnifiedKeyMap.skeleton())
        .build();
  }

  /** STM-Evaluation's release (README "All models" table). */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return StmEvaluationRelease.in1k("swin", "swin", 74.4, 82.3, 83.3, 83.7);
  }
}
