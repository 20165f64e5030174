package org.stmzoo.zoo.weights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code state_dict} keys and PyTorch shapes of the reference implementations, written from their source
 * (224x224, 1000 classes), independently of stmzoo's layers: each reference module's parameters and buffers in
 * the reference's own layout ({@code Linear [out, in]}, {@code Conv [out, in/groups, kh, kw]}). The variants'
 * configurations are copied from the reference factories. A key list whose parameters add up to
 * {@code reference/param_counts.tsv} exactly is very likely the right one.
 */
final class ReferenceStateDicts {
  private static final int CLASSES = 1000;
  private static final int IMAGE = 224;

  private ReferenceStateDicts() {}

  /** Every reference model this class can write, by its name in param_counts.tsv. */
  static Map<String, Supplier<SyntheticCheckpoint>> all() {
    Map<String, Supplier<SyntheticCheckpoint>> all = new LinkedHashMap<>();
    // timm 0.6.7 deit_{tiny,small,base}[_distilled]_patch16_224: depth 12, MLP ratio 4
    Map<String, int[]> deitSizes = Map.of("tiny", new int[] {192, 3}, "small", new int[] {384, 6},
        "base", new int[] {768, 12});
    deitSizes.forEach((size, dimHeads) -> {
      all.put("deit_" + size + "_patch16_224", () -> deit(dimHeads[0], false));
      all.put("deit_" + size + "_distilled_patch16_224", () -> deit(dimHeads[0], true));
    });
    // SPACH models/registry.py
    all.put("shiftvit_light_tiny", () -> shiftVit(96, new int[] {2, 2, 6, 2}, 4));
    all.put("shiftvit_r4_tiny", () -> shiftVit(96, new int[] {2, 2, 12, 3}, 4));
    all.put("shiftvit_r2_tiny", () -> shiftVit(96, new int[] {6, 8, 18, 6}, 2));
    all.put("shiftvit_light_small", () -> shiftVit(96, new int[] {2, 2, 18, 2}, 4));
    all.put("shiftvit_r4_small", () -> shiftVit(96, new int[] {2, 6, 24, 4}, 4));
    all.put("shiftvit_r2_small", () -> shiftVit(96, new int[] {10, 18, 36, 10}, 2));
    all.put("shiftvit_light_base", () -> shiftVit(128, new int[] {2, 2, 18, 2}, 4));
    all.put("shiftvit_r4_base", () -> shiftVit(128, new int[] {4, 6, 22, 4}, 4));
    all.put("shiftvit_r2_base", () -> shiftVit(128, new int[] {10, 18, 36, 10}, 2));
    // STM-Evaluation model_factory/{halonet,swin}_factory.py: the same dims, depths and heads
    Map<String, Unified> attention = Map.of(
        "micro", new Unified(32, new int[] {2, 2, 9, 2}, new int[] {1, 2, 4, 8}),
        "tiny", new Unified(96, new int[] {2, 2, 6, 2}, new int[] {3, 6, 12, 24}),
        "small", new Unified(96, new int[] {2, 2, 18, 2}, new int[] {3, 6, 12, 24}),
        "base", new Unified(128, new int[] {2, 2, 18, 2}, new int[] {4, 8, 16, 32}));
    attention.forEach((size, u) -> {
      all.put("unified_halo_" + size, () -> halo(u));
      all.put("unified_swin_" + size, () -> swin(u));
    });
    // model_factory/dcnv3_factory.py: 9 deformable points, 3x3 depthwise conv
    all.put("unified_dcn_v3_micro", () -> dcnV3(new Unified(32, new int[] {2, 2, 9, 2}, new int[] {2, 4, 8, 16})));
    all.put("unified_dcn_v3_tiny", () -> dcnV3(new Unified(64, new int[] {4, 4, 18, 4}, new int[] {4, 8, 16, 32})));
    all.put("unified_dcn_v3_small",
        () -> dcnV3(new Unified(80, new int[] {4, 4, 21, 4}, new int[] {5, 10, 20, 40})));
    all.put("unified_dcn_v3_base",
        () -> dcnV3(new Unified(112, new int[] {4, 4, 21, 4}, new int[] {7, 14, 28, 56})));
    // model_factory/pvt_factory.py (PvtBlock, not v2): heads 1,2,5,8, sr ratios 8,4,2,1, qkv bias
    int[] small = {32, 64, 160, 256};
    int[] large = {64, 128, 320, 512};
    int[] mlp8 = {8, 8, 4, 4};
    all.put("unified_pvt_micro", () -> pvt(small, new int[] {2, 2, 3, 2}, mlp8));
    all.put("unified_pvt_tiny", () -> pvt(large, new int[] {3, 4, 9, 3}, mlp8));
    all.put("unified_pvt_small", () -> pvt(large, new int[] {3, 4, 21, 3}, mlp8));
    all.put("unified_pvt_base", () -> pvt(large, new int[] {3, 8, 45, 3}, new int[] {4, 4, 4, 4}));
    return all;
  }

  /** timm VisionTransformer (DeiT): 16x16 patches, 12 blocks of MLP ratio 4, qkv bias. */
  static SyntheticCheckpoint deit(int dim, boolean distilled) {
    int patch = 16;
    int grid = IMAGE / patch;
    SyntheticCheckpoint sd = new SyntheticCheckpoint().param("cls_token", 1, 1, dim);
    if (distilled) {
      sd.param("dist_token", 1, 1, dim);
    }
    sd.param("pos_embed", 1, grid * grid + (distilled ? 2 : 1), dim);
    conv(sd, "patch_embed.proj", dim, 3, patch, true);
    for (int i = 0; i < 12; i++) {
      String b = "blocks." + i + ".";
      norm(sd, b + "norm1", dim);
      linear(sd, b + "attn.qkv", dim, 3 * dim, true);
      linear(sd, b + "attn.proj", dim, dim, true);
      norm(sd, b + "norm2", dim);
      linear(sd, b + "mlp.fc1", dim, 4 * dim, true);
      linear(sd, b + "mlp.fc2", 4 * dim, dim, true);
    }
    norm(sd, "norm", dim);
    linear(sd, "head", dim, CLASSES, true);
    if (distilled) {
      linear(sd, "head_dist", dim, CLASSES, true);
    }
    return sd;
  }

  /** SPACH ShiftViT: 4x4 patch conv + GN1, blocks of GN1 + 1x1-conv MLP, 2x2-conv patch merging. */
  static SyntheticCheckpoint shiftVit(int embedDim, int[] depths, double mlpRatio) {
    SyntheticCheckpoint sd = new SyntheticCheckpoint();
    conv(sd, "patch_embed.proj", embedDim, 3, 4, true);
    norm(sd, "patch_embed.norm", embedDim);
    for (int i = 0; i < depths.length; i++) {
      int dim = embedDim << i;
      int hidden = (int) (dim * mlpRatio);
      for (int j = 0; j < depths[i]; j++) {
        String b = "layers." + i + ".blocks." + j + ".";
        norm(sd, b + "norm2", dim);
        conv(sd, b + "mlp.fc1", hidden, dim, 1, true);
        conv(sd, b + "mlp.fc2", dim, hidden, 1, true);
      }
      if (i < depths.length - 1) {
        conv(sd, "layers." + i + ".downsample.reduction", 2 * dim, dim, 2, false);
        norm(sd, "layers." + i + ".downsample.norm", dim);
      }
    }
    int features = embedDim << (depths.length - 1);
    norm(sd, "norm", features);
    linear(sd, "head", features, CLASSES, true);
    return sd;
  }

  /** A unified variant: dims {@code base * 2^i}, depths and heads per stage. */
  record Unified(int baseDim, int[] depths, int[] heads) {
    int dim(int stage) {
      return baseDim << stage;
    }

    int[] dims() {
      int[] dims = new int[4];
      for (int i = 0; i < 4; i++) {
        dims[i] = dim(i);
      }
      return dims;
    }
  }

  /** Writes one block's tensors: stage, index within the stage, the stage's dim and feature-map side. */
  @FunctionalInterface
  private interface BlockWriter {
    void write(SyntheticCheckpoint sd, String prefix, int stage, int index, int dim, int resolution);
  }

  /**
   * MetaArch with its defaults (meta_arch.py): Stem (two 3x3/2 convs with bias, the first to half the width,
   * each followed by LayerNorm2d), three DownsampleLayers (3x3/2 conv without bias + LN), a LayerNorm after every
   * stage, conv_head (1x1 conv to 1.5x width without bias, BatchNorm2d with its running statistics) and the
   * Linear head.
   */
  private static SyntheticCheckpoint metaArch(int[] dims, int[] depths, BlockWriter block) {
    SyntheticCheckpoint sd = new SyntheticCheckpoint();
    conv(sd, "downsample_layers.0.stem.0", dims[0] / 2, 3, 3, true);
    norm(sd, "downsample_layers.0.stem.1", dims[0] / 2);
    conv(sd, "downsample_layers.0.stem.3", dims[0], dims[0] / 2, 3, true);
    norm(sd, "downsample_layers.0.stem.4", dims[0]);
    for (int i = 1; i < 4; i++) {
      conv(sd, "downsample_layers." + i + ".reduction.0", dims[i], dims[i - 1], 3, false);
      norm(sd, "downsample_layers." + i + ".reduction.1", dims[i]);
    }
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < depths[i]; j++) {
        block.write(sd, "stages." + i + "." + j + ".", i, j, dims[i], IMAGE / 4 >> i);
      }
      norm(sd, "stage_norms." + i, dims[i]);
    }
    int features = dims[3] * 3 / 2;
    conv(sd, "conv_head.0", features, dims[3], 1, false);
    norm(sd, "conv_head.1", features);
    sd.buffer("conv_head.1.running_mean", features).buffer("conv_head.1.running_var", features)
        .buffer("conv_head.1.num_batches_tracked");
    linear(sd, "head", features, CLASSES, true);
    return sd;
  }

  /** The MLP that every unified attention block ends with: timm's / the block's Mlp of ratio {@code ratio}. */
  private static void mlp(SyntheticCheckpoint sd, String prefix, int dim, int ratio) {
    linear(sd, prefix + "mlp.fc1", dim, ratio * dim, true);
    linear(sd, prefix + "mlp.fc2", ratio * dim, dim, true);
  }

  /**
   * UnifiedHaloBlock (block 7, halo 3, query-related position embedding): q Linear and kv 1x1 Conv without
   * bias, qk head width make_divisible(dim, 8) / heads, relative logits of window 13 (25 offsets), layer scales
   * {@code [1, 1, 1, C]}.
   */
  static SyntheticCheckpoint halo(Unified u) {
    int window = 7 + 2 * 3;
    return metaArch(u.dims(), u.depths(), (sd, b, stage, j, dim, res) -> {
      int headQk = makeDivisible8(dim) / u.heads()[stage];
      int qk = headQk * u.heads()[stage];
      norm(sd, b + "norm1", dim);
      conv(sd, b + "attn.kv", qk + dim, dim, 1, false);
      linear(sd, b + "attn.q", dim, qk, false);
      sd.param(b + "attn.pos_embed.height_rel", 2 * window - 1, headQk);
      sd.param(b + "attn.pos_embed.width_rel", 2 * window - 1, headQk);
      linear(sd, b + "attn.proj", dim, dim, true);
      sd.param(b + "gamma_1", 1, 1, 1, dim);
      norm(sd, b + "norm2", dim);
      mlp(sd, b, dim, 4);
      sd.param(b + "gamma_2", 1, 1, 1, dim);
    });
  }

  /** halonet.py's make_divisible with divisor 8 (and its 10% round-down guard). */
  private static int makeDivisible8(int v) {
    int rounded = Math.max(8, (v + 4) / 8 * 8);
    return rounded < 0.9 * v ? rounded + 8 : rounded;
  }

  /**
   * SwinBlock (window 7, timm 0.6's WindowAttention): bias table {@code [(2*7-1)^2, heads]}, the buffer
   * relative_position_index {@code [49, 49]}, qkv and proj Linears with bias, 1-D layer scales; odd blocks of
   * stages whose map is larger than the window shift and register the buffer attn_mask
   * {@code [windows, 49, 49]} (None, hence absent, elsewhere).
   */
  static SyntheticCheckpoint swin(Unified u) {
    int window = 7;
    return metaArch(u.dims(), u.depths(), (sd, b, stage, j, dim, res) -> {
      int heads = u.heads()[stage];
      norm(sd, b + "norm1", dim);
      sd.param(b + "attn.relative_position_bias_table", (2 * window - 1) * (2 * window - 1), heads);
      sd.buffer(b + "attn.relative_position_index", window * window, window * window);
      linear(sd, b + "attn.qkv", dim, 3 * dim, true);
      linear(sd, b + "attn.proj", dim, dim, true);
      sd.param(b + "gamma_1", dim);
      norm(sd, b + "norm2", dim);
      mlp(sd, b, dim, 4);
      if (j % 2 == 1 && res > window) {
        int windows = (res / window) * (res / window);
        sd.buffer(b + "attn_mask", windows, window * window, window * window);
      }
      sd.param(b + "gamma_2", dim);
    });
  }

  /**
   * PvtBlock: the stage's pos_embed {@code [1, C, H, W]} in its first block; q and kv Linears with bias, proj;
   * where the reduction ratio exceeds 1 an sr Conv (kernel = stride = ratio, bias) and a LayerNorm; 1-D
   * layer scales.
   */
  static SyntheticCheckpoint pvt(int[] dims, int[] depths, int[] mlpRatios) {
    int[] srRatios = {8, 4, 2, 1};
    return metaArch(dims, depths, (sd, b, stage, j, dim, res) -> {
      if (j == 0) {
        sd.param(b + "pos_embed", 1, dim, res, res);
      }
      norm(sd, b + "norm1", dim);
      linear(sd, b + "attn.q", dim, dim, true);
      linear(sd, b + "attn.kv", dim, 2 * dim, true);
      linear(sd, b + "attn.proj", dim, dim, true);
      if (srRatios[stage] > 1) {
        conv(sd, b + "attn.sr", dim, dim, srRatios[stage], true);
        norm(sd, b + "attn.norm", dim);
      }
      sd.param(b + "gamma_1", dim);
      norm(sd, b + "norm2", dim);
      mlp(sd, b, dim, mlpRatios[stage]);
      sd.param(b + "gamma_2", dim);
    });
  }

  /**
   * DCNv3Block (MSDeformAttnGrid_softmax, one level, 9 points, ratio 1): dw_conv = depthwise 3x3 Conv with bias,
   * LayerNormProxy (its LayerNorm is {@code .norm}), GELU; sampling_offsets {@code heads*9*2} and
   * attention_weights {@code heads*9} Linears, value and output projections; 1-D gamma1/gamma2.
   */
  static SyntheticCheckpoint dcnV3(Unified u) {
    int points = 9;
    return metaArch(u.dims(), u.depths(), (sd, b, stage, j, dim, res) -> {
      int heads = u.heads()[stage];
      norm(sd, b + "norm1", dim);
      sd.param(b + "attn.dw_conv.0.weight", dim, 1, 3, 3).param(b + "attn.dw_conv.0.bias", dim);
      norm(sd, b + "attn.dw_conv.1.norm", dim);
      linear(sd, b + "attn.sampling_offsets", dim, heads * points * 2, true);
      linear(sd, b + "attn.attention_weights", dim, heads * points, true);
      linear(sd, b + "attn.value_proj", dim, dim, true);
      linear(sd, b + "attn.output_proj", dim, dim, true);
      norm(sd, b + "norm2", dim);
      mlp(sd, b, dim, 4);
      sd.param(b + "gamma1", dim).param(b + "gamma2", dim);
    });
  }

  private static void linear(SyntheticCheckpoint sd, String module, int in, int out, boolean bias) {
    sd.param(module + ".weight", out, in);
    if (bias) {
      sd.param(module + ".bias", out);
    }
  }

  /** A square-kernel, ungrouped Conv2d. */
  private static void conv(SyntheticCheckpoint sd, String module, int out, int in, int kernel, boolean bias) {
    sd.param(module + ".weight", out, in, kernel, kernel);
    if (bias) {
      sd.param(module + ".bias", out);
    }
  }

  /** LayerNorm / GroupNorm / BatchNorm affine parameters. */
  private static void norm(SyntheticCheckpoint sd, String module, int channels) {
    sd.param(module + ".weight", channels).param(module + ".bias", channels);
  }
}
