package org.stmzoo.zoo.families.convnext;

import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.BLOCK;
import static org.stmzoo.zoo.families.unified.UnifiedKeyMap.REF_BLOCK;

import java.util.List;
import org.stmzoo.layers.mixers.ConvNeXtMixer;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.families.unified.StmEvaluationRelease;
import org.stmzoo.zoo.families.unified.UnifiedKeyMap;
import org.stmzoo.zoo.families.unified.UnifiedModels;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * U-ConvNeXt (STM-Evaluation, {@code model_factory/convnext_factory.py}): the unified skeleton with a
 * 1x1 -> 7x7 depthwise -> 1x1 convolution as its spatial token mixer. LayerNorm eps 1e-6 in the blocks; the
 * reference stores the layer scales as 4-D tensors, so AdamW decays them.
 */
public final class UnifiedConvNeXt implements Family {
  /** One size of the family, as in the reference factory. */
  public record Variant(String size, int[] depths, int[] dims, int kernelSize, float dropPath)
      implements VariantConfig {}

  static final int KERNEL_SIZE = 7;

  public static final List<Variant> VARIANTS = List.of(
      new Variant("micro", new int[] {3, 3, 8, 3}, new int[] {32, 64, 128, 256}, KERNEL_SIZE, 0.0f),
      new Variant("tiny", new int[] {2, 2, 9, 2}, new int[] {96, 192, 384, 768}, KERNEL_SIZE, 0.1f),
      new Variant("small", new int[] {2, 2, 24, 2}, new int[] {96, 192, 384, 768}, KERNEL_SIZE, 0.4f),
      new Variant("base", new int[] {2, 2, 24, 2}, new int[] {128, 256, 512, 1024}, KERNEL_SIZE, 0.5f));

  @Override
  public String name() {
    return "unified-convnext";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(UnifiedConvNeXt::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    return UnifiedModels.entry("convnext", "convnext", v.size(), v.depths(), v.dims(),
        v.dropPath(), v,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (s, ctx) -> new ConvNeXtMixer(s, new ConvNeXtMixer.Config(ctx.dim(), v.kernelSize())),
            4.0, UnifiedSkeleton.NORM_EPS, true)));
  }

  /** UnifiedConvNeXtBlock: dw_norm, dw_input_proj, dwconv, dw_out_proj, gamma_1, pw_norm, pwconv1/2, gamma_2. */
  @Override
  public KeyMap keyMap() {
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
        .include(UnifiedKeyMap.skeleton())
        .build();
  }

  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return StmEvaluationRelease.in1k("convnext", "convnext", 75.1, 82.2, 83.1, 83.7);
  }
}
