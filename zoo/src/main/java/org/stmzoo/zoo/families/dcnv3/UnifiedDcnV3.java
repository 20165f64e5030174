package org.stmzoo.zoo.families.dcnv3;

import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.BLOCK;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.NAME;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.REF_BLOCK;

import java.util.List;
import org.stmzoo.layers.mixers.DeformableConvV3;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.zoo.families.unified.UnifiedKeyMap;
import org.stmzoo.zoo.families.unified.UnifiedModels;
import org.stmzoo.zoo.families.unified.StmEvaluationRelease;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * U-DCNv3 (STM-Evaluation, {@code blocks/dcn_v3.py} DCNv3Block and {@code model_factory/dcnv3_factory.py}):
 * the unified skeleton with DCNv3 deformable sampling (3x3 grid, 3x3 depthwise conv for offsets and weights)
 * as STM. Dims double per stage from a base width and every group has 16 channels. The reference's "extra
 * inputs" (reference points, padded spatial shapes) only depend on the feature-map size, so the mixer derives
 * them itself and the plain unified block fits: LayerNorm eps 1e-5, 1-D gammas not decayed, MLP ratio 4.
 */
public final class UnifiedDcnV3 implements Family {
  /** One size of the family: a base width doubled per stage, depths, channels per deformable group. */
  public record Variant(String size, int baseDim, int[] depths, int groupChannels, float dropPath)
      implements VariantConfig {
    public int[] dims() {
      return new int[] {baseDim, 2 * baseDim, 4 * baseDim, 8 * baseDim};
    }
  }

  static final int GROUP_CHANNELS = 16;
  static final float BLOCK_NORM_EPS = 1e-5f;

  public static final List<Variant> VARIANTS = List.of(
      new Variant("micro", 32, new int[] {2, 2, 9, 2}, GROUP_CHANNELS, 0.0f),
      new Variant("tiny", 64, new int[] {4, 4, 18, 4}, GROUP_CHANNELS, 0.1f),
      new Variant("small", 80, new int[] {4, 4, 21, 4}, GROUP_CHANNELS, 0.3f),
      new Variant("base", 112, new int[] {4, 4, 21, 4}, GROUP_CHANNELS, 0.5f));

  @Override
  public String name() {
    return "unified-dcnv3";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(UnifiedDcnV3::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    return UnifiedModels.entry("dcnv3", "dcn_v3", v.size(), v.depths(), v.dims(),
        v.dropPath(), v,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (s, ctx) -> new DeformableConvV3(s, DeformableConvV3.Config.of(ctx.dim(), ctx.dim() / v.groupChannels())),
            4.0, BLOCK_NORM_EPS, false)));
  }

  /**
   * DCNv3Block (MSDeformAttnGrid_softmax): {@code attn.dw_conv} is a Sequential of the depthwise Conv (0), a
   * LayerNormProxy whose LayerNorm is {@code .norm} (1) and a GELU; {@code attn.sampling_offsets},
   * {@code attn.attention_weights}, {@code attn.value_proj}, {@code attn.output_proj} are Linears. The sampling
   * grid is a plain attribute, not state.
   */
  @Override
  public KeyMap keyMap() {
    return UnifiedKeyMap.transformerBlock("gamma1", "gamma2")
        .module(BLOCK + "mixer/dw_conv/conv", REF_BLOCK + "attn.dw_conv.0")
        .module(BLOCK + "mixer/dw_conv/norm", REF_BLOCK + "attn.dw_conv.1.norm")
        .module(BLOCK + "mixer/(sampling_offsets|attention_weights|value_proj|output_proj)",
            REF_BLOCK + "attn." + NAME)
        .include(UnifiedKeyMap.skeleton())
        .build();
  }

  /** STM-Evaluation's U-InternImage release (README "All models" table). */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return StmEvaluationRelease.in1k("dcnv3", "internimage", 75.3, 83.3, 84.1, 84.5);
  }
}
