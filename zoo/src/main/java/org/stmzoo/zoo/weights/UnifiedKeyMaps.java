package org.stmzoo.zoo.weights;

/**
 * STM-Evaluation's MetaArch names ({@code classification/models/meta_arch.py}) for the unified skeleton,
 * plus each unified block's own names.
 */
public final class UnifiedKeyMaps {
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

  /** UnifiedConvNeXtBlock: dw_norm, dw_input_proj, dwconv, dw_out_proj, gamma_1, pw_norm, pwconv1/2, gamma_2. */
  public static KeyMap convnext() {
    String block = "stages/(\\d+)/blocks/(\\d+)/";
    String ref = "stages.$1.$2.";
    return KeyMap.builder()
        .module(block + "norm1", ref + "dw_norm")
        .module(block + "mixer/input_proj", ref + "dw_input_proj")
        .module(block + "mixer/dwconv", ref + "dwconv")
        .module(block + "mixer/output_proj", ref + "dw_out_proj")
        .variable(block + "layer_scale1/gamma", ref + "gamma_1")
        .module(block + "norm2", ref + "pw_norm")
        .module(block + "mlp/fc1", ref + "pwconv1")
        .module(block + "mlp/fc2", ref + "pwconv2")
        .variable(block + "layer_scale2/gamma", ref + "gamma_2")
        .include(skeleton())
        .build();
  }
}
