package org.stmzoo.zoo.families;

import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.mixers.DeformableConvV3;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * U-DCNv3 (STM-Evaluation, {@code blocks/dcn_v3.py} DCNv3Block and {@code model_factory/dcnv3_factory.py}):
 * the unified skeleton with DCNv3 deformable sampling (3x3 grid, 3x3 depthwise conv for offsets and weights)
 * as STM. Dims double per stage from a base width and every group has 16 channels. The reference's "extra
 * inputs" (reference points, padded spatial shapes) only depend on the feature-map size, so the mixer derives
 * them itself and the plain unified block fits: LayerNorm eps 1e-5, 1-D gammas not decayed, MLP ratio 4.
 */
public final class UnifiedDcnV3 {
  record Variant(String size, int baseDim, int[] depths, float dropPath) {
    int[] dims() {
      return new int[] {baseDim, 2 * baseDim, 4 * baseDim, 8 * baseDim};
    }
  }

  static final int GROUP_CHANNELS = 16;

  static final List<Variant> VARIANTS = List.of(
      new Variant("micro", 32, new int[] {2, 2, 9, 2}, 0.0f),
      new Variant("tiny", 64, new int[] {4, 4, 18, 4}, 0.1f),
      new Variant("small", 80, new int[] {4, 4, 21, 4}, 0.3f),
      new Variant("base", 112, new int[] {4, 4, 21, 4}, 0.5f));

  private UnifiedDcnV3() {}

  public static List<ModelEntry> entries() {
    return VARIANTS.stream().map(v -> new ModelEntry(
        "u-dcnv3-" + v.size(), "unified-dcnv3", "unified_dcn_v3_" + v.size(), 224, v.dropPath(),
        Preprocessing.imagenet(),
        "depths=" + Arrays.toString(v.depths()) + " dims=" + Arrays.toString(v.dims()) + " group_channels="
            + GROUP_CHANNELS + " points=9",
        ModelEntry.multipleOf(32, "the skeleton downsamples by 32"),
        (scope, options, dropPath) -> new UnifiedSkeleton(scope,
            UnifiedSkeleton.Config.of(v.depths(), v.dims(), options.inChannels(), options.numClasses(),
                options.imageSize(), dropPath),
            UnifiedBlock.factory(new UnifiedBlock.Config(
                (s, ctx) -> new DeformableConvV3(s, DeformableConvV3.Config.of(ctx.dim(), ctx.dim() / GROUP_CHANNELS)),
                4.0, 1e-5f, false))))).toList();
  }
}
