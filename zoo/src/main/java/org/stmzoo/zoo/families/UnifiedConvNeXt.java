package org.stmzoo.zoo.families;

import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.mixers.ConvNeXtMixer;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * U-ConvNeXt (STM-Evaluation, {@code model_factory/convnext_factory.py}): the unified skeleton with a
 * 1x1 -> 7x7 depthwise -> 1x1 convolution as its spatial token mixer. LayerNorm eps 1e-6 in the blocks; the
 * reference stores the layer scales as 4-D tensors, so AdamW decays them.
 */
public final class UnifiedConvNeXt {
  /** One size of the family, as in the reference factory. */
  record Variant(String size, int[] depths, int[] dims, float dropPath) {}

  static final List<Variant> VARIANTS = List.of(
      new Variant("micro", new int[] {3, 3, 8, 3}, new int[] {32, 64, 128, 256}, 0.0f),
      new Variant("tiny", new int[] {2, 2, 9, 2}, new int[] {96, 192, 384, 768}, 0.1f),
      new Variant("small", new int[] {2, 2, 24, 2}, new int[] {96, 192, 384, 768}, 0.4f),
      new Variant("base", new int[] {2, 2, 24, 2}, new int[] {128, 256, 512, 1024}, 0.5f));

  static final int KERNEL_SIZE = 7;

  private UnifiedConvNeXt() {}

  public static List<ModelEntry> entries() {
    return VARIANTS.stream().map(v -> new ModelEntry(
        "u-convnext-" + v.size(), "unified-convnext", "unified_convnext_" + v.size(), 224, v.dropPath(),
        Preprocessing.imagenet(),
        "depths=" + Arrays.toString(v.depths()) + " dims=" + Arrays.toString(v.dims()) + " kernel=" + KERNEL_SIZE,
        ModelEntry.multipleOf(32, "the skeleton downsamples by 32"),
        (scope, options, dropPath) -> new UnifiedSkeleton(scope,
            UnifiedSkeleton.Config.of(v.depths(), v.dims(), options.inChannels(), options.numClasses(),
                options.imageSize(), dropPath),
            UnifiedBlock.factory(new UnifiedBlock.Config(
                (s, ctx) -> new ConvNeXtMixer(s, new ConvNeXtMixer.Config(ctx.dim(), KERNEL_SIZE)),
                4.0, UnifiedSkeleton.NORM_EPS, true))))).toList();
  }
}
