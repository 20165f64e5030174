package org.stmzoo.zoo.families.unified;

import org.stmzoo.zoo.weights.KeyMap;

/**
 * STM-Evaluation's MetaArch names ({@code classification/models/meta_arch.py}) for the parts every U-model
 * shares, and the pattern pieces the families' block key maps are written with.
 */
public final class UnifiedKeyMap {
  /** Stages' blocks are {@code stages.i.j} in MetaArch (a ModuleList of ModuleLists). */
  public static final String BLOCK = "stages/(\\d+)/blocks/(\\d+)/";
  public static final String REF_BLOCK = "stages.$1.$2.";
  /** The first group after {@link #BLOCK}'s two, for rules that keep a captured name. */
  public static final String NAME = "$3";

  private UnifiedKeyMap() {}

  /** Stem, downsampling layers, stage norms and head. */
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
   * The transformer-style unified block (Halo, Swin, PVT, DCNv3): {@code norm1}, a token mixer the reference
   * calls {@code attn}, layer scale, {@code norm2}, {@code mlp.fc1/fc2}, layer scale. The layer scales are
   * {@code gamma_1/gamma_2} in most blocks but {@code gamma1/gamma2} in DCNv3's.
   */
  public static KeyMap.Builder transformerBlock(String layerScale1, String layerScale2) {
    return KeyMap.builder()
        .module(BLOCK + "(norm1|norm2)", REF_BLOCK + NAME)
        .module(BLOCK + "mlp/(fc1|fc2)", REF_BLOCK + "mlp." + NAME)
        .variable(BLOCK + "layer_scale1/gamma", REF_BLOCK + layerScale1)
        .variable(BLOCK + "layer_scale2/gamma", REF_BLOCK + layerScale2);
  }
}
