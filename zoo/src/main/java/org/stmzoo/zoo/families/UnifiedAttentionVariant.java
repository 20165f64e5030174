package org.stmzoo.zoo.families;

import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.unified.BlockFactory;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * One size of a unified family whose STM is multi-head attention (U-Halo, U-Swin): the reference factories
 * give depths, dims, heads per stage and the drop-path rate.
 */
record UnifiedAttentionVariant(String size, int[] depths, int[] dims, int[] heads, float dropPath) {
  /** The sizes shared by halonet_factory.py and swin_factory.py. */
  static final List<UnifiedAttentionVariant> STANDARD = List.of(
      new UnifiedAttentionVariant("micro", new int[] {2, 2, 9, 2}, new int[] {32, 64, 128, 256},
          new int[] {1, 2, 4, 8}, 0.0f),
      new UnifiedAttentionVariant("tiny", new int[] {2, 2, 6, 2}, new int[] {96, 192, 384, 768},
          new int[] {3, 6, 12, 24}, 0.2f),
      new UnifiedAttentionVariant("small", new int[] {2, 2, 18, 2}, new int[] {96, 192, 384, 768},
          new int[] {3, 6, 12, 24}, 0.3f),
      new UnifiedAttentionVariant("base", new int[] {2, 2, 18, 2}, new int[] {128, 256, 512, 1024},
          new int[] {4, 8, 16, 32}, 0.5f));

  /**
   * The registry entry {@code <prefix>-<size>} (reference {@code unified_<family>_<size>}) whose blocks come
   * from {@code blocks}.
   */
  ModelEntry entry(String family, String extraConfig, BlockFactory blocks) {
    return new ModelEntry("u-" + family + "-" + size, "unified-" + family, "unified_" + family + "_" + size, 224,
        dropPath, Preprocessing.imagenet(),
        "depths=" + Arrays.toString(depths) + " dims=" + Arrays.toString(dims) + " heads=" + Arrays.toString(heads)
            + " " + extraConfig,
        ModelEntry.multipleOf(32, "the skeleton downsamples by 32"),
        (scope, options, rate) -> new UnifiedSkeleton(scope,
            UnifiedSkeleton.Config.of(depths, dims, options.inChannels(), options.numClasses(), options.imageSize(),
                rate),
            blocks));
  }
}
