package org.stmzoo.zoo.weights;

/**
 * STM-Evaluation's MetaArch names ({@code classification/models/meta_arch.py}) for the unified skeleton,
 * plus each unified block's own names.
 */
public final class UnifiedKeyMaps {
  /** Stages' blocks are {@code stages.i.j} in MetaArch (a ModuleList of ModuleLists). */
  private static final String BLOCK = "stages/(\\d+)/blocks/(\\d+)/";
  private static final String REF_BLOCK = "stages.$1.$2.";
  /** The first group after {@link #BLOCK}'s two, for rules that keep a captured name. */
  private static final String NAME = "$3";

  private UnifiedKeyMaps() {}

  /** Stem, downsampling layers, stage norms and head, shared by every U-model. */
  public static KeyMap skeleton() {
    return KeyMap.builder()
        // the stem is downsample_layers[0]: Conv, LN, GELU (no tensors), Conv, LN
        .module("stem/conv1", "downsample_layers.0.stem.0")
        .module("stem/norm1", "downsample_layers.0.stem.1")
        .module("stem/conv2", "downsample_layers.0.stem.3")
        .module("stem/norm2", "downsample_layers.0.stem.4")
        .module("downsamples/(\\d+)/conv", "downsample_layers.$1.reduction.0")
        .module("downsamples/(\\d+)/norm", "downsample_layers.$1.reduction.1")
        .module("stages/(\\d+)/norm", "stage_norms.$1")
        // conv_head: Conv1x1, BatchNorm2d, GELU; then the Linear classifier
        .module("head/conv", "conv_head.0")
        .module("head/bn", "conv_head.1")
        .module("head/fc", "head")
        .head("head/fc/")
        .build();
  }

  /**
   * The transformer-style unified blocks (Halo, Swin, PVT, DCNv3): {@code norm1}, a token mixer the reference
   * calls {@code attn}, layer scale, {@code norm2}, {@code mlp.fc1/fc2}, layer scale. The layer scales are
   * {@code gamma_1/gamma_2} in most blocks but {@code gamma1/gamma2} in DCNv3's.
   */
  private static KeyMap.Builder attentionBlock(String layerScale1, String layerScale2) {
    return KeyMap.builder()
        .module(BLOCK + "(norm1|norm2)", REF_BLOCK + NAME)
        .module(BLOCK + "mlp/(fc1|fc2)", REF_BLOCK + "mlp." + NAME)
        .variable(BLOCK + "layer_scale1/gamma", REF_BLOCK + layerScale1)
        .variable(BLOCK + "layer_scale2/gamma", REF_BLOCK + layerScale2);
  }

  /**
   * UnifiedHaloBlock ({@code blocks/halonet.py}) with query-related position embeddings: {@code attn.q} (Linear),
   * {@code attn.kv} (1x1 Conv), {@code attn.proj}, {@code attn.pos_embed.height_rel/width_rel}. Its layer scales
   * are stored {@code [1, 1, 1, C]} (they multiply an NHWC map) and lose their unit axes on import.
   */
  public static KeyMap halo() {
    return attentionBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(q|kv|proj)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "mixer/(height_rel|width_rel)", REF_BLOCK + "attn.pos_embed." + NAME)
        .include(skeleton())
        .build();
  }

  /**
   * SwinBlock ({@code blocks/swin.py}, timm's WindowAttention): {@code attn.qkv}, {@code attn.proj},
   * {@code attn.relative_position_bias_table}. The buffers {@code attn.relative_position_index} and the shifted
   * blocks' {@code attn_mask} are functions of the window size and resolution that stmzoo derives itself, so
   * they are dropped (as MetaArch's own {@code load_state_dict} does). Where a small map shrinks the window, the
   * bias table is resized bicubically, as that {@code load_state_dict} does.
   */
  public static KeyMap swin() {
    return attentionBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(qkv|proj)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "mixer/relative_position_bias_table", REF_BLOCK + "attn.relative_position_bias_table")
        .ignore("stages\\.\\d+\\.\\d+\\.(attn\\.relative_position_index|attn_mask)")
        .resize(BLOCK + "mixer/relative_position_bias_table", EmbeddingResize.relativePositionTable())
        .include(skeleton())
        .build();
  }

  /**
   * PvtBlock ({@code blocks/pvt.py}): {@code attn.q}, {@code attn.kv}, {@code attn.proj} and, in stages with
   * spatial reduction, {@code attn.sr} (Conv) and {@code attn.norm}; each stage's first block holds the stage's
   * {@code pos_embed} {@code [1, C, H, W]}, imported as NHWC and, for another image size, resized bilinearly with
   * aligned corners (MetaArch's {@code load_state_dict}).
   */
  public static KeyMap pvt() {
    return attentionBlock("gamma_1", "gamma_2")
        .module(BLOCK + "mixer/(q|kv|proj|sr|norm)", REF_BLOCK + "attn." + NAME)
        .variable(BLOCK + "pos_embed", REF_BLOCK + "pos_embed")
        .resize(BLOCK + "pos_embed", EmbeddingResize.bilinearAlignCornersGrid())
        .include(skeleton())
        .build();
  }

  /**
   * DCNv3Block ({@code blocks/dcn_v3.py}, MSDeformAttnGrid_softmax): {@code attn.dw_conv} is a Sequential of
   * the depthwise Conv (0), a LayerNormProxy whose LayerNorm is {@code .norm} (1) and a GELU;
   * {@code attn.sampling_offsets}, {@code attn.attention_weights}, {@code attn.value_proj},
   * {@code attn.output_proj} are Linears. The sampling grid is a plain attribute, not state.
   */
  public static KeyMap dcnV3() {
    return attentionBlock("gamma1", "gamma2")
        .module(BLOCK + "mixer/dw_conv/conv", REF_BLOCK + "attn.dw_conv.0")
        .module(BLOCK + "mixer/dw_conv/norm", REF_BLOCK + "attn.dw_conv.1.norm")
        .module(BLOCK + "mixer/(sampling_offsets|attention_weights|value_proj|output_proj)",
            REF_BLOCK + "attn." + NAME)
        .include(skeleton())
        .build();
  }

  /** UnifiedConvNeXtBlock: dw_norm, dw_input_proj, dwconv, dw_out_proj, gamma_1, pw_norm, pwconv1/2, gamma_2. */
  public static KeyMap convnext() {
    return KeyMap.builder()
        .module(BLOCK + "norm1", REF_BLOCK + "dw_norm")
        .module(BLOCK + "mixer/input_proj", REF_BLOCK + "dw_input_proj")
        .module(BLOCK + "mixer/dwconv", REF_BLOCK + "dwconv")
        .module(BLOCK + "mixer/output_proj", REF_BLOCK + "dw_out_proj")
        .variable(BLOCK + "layer_scale1/gamma", REF_BLOCK + "gamma_1")
        .module(BLOCK + "norm2", REF_BLOCK + "pw_norm")
        .module(BLOCK + "mlp/fc1", REF_BLOCK + "pwconv1")
        .module(BLOCK + "mlp/fc2", REF_BLOCK + "pwconv2")
        .variable(BLOCK + "layer_scale2/gamma", REF_BLOCK + "gamma_2")
        .include(skeleton())
        .build();
  }
}
