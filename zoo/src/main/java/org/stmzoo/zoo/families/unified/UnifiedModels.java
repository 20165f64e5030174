package org.stmzoo.zoo.families.unified;

import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.unified.BlockFactory;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;

/**
 * What every U-model shares (STM-Evaluation's MetaArch, {@code classification/models/meta_arch.py}): the
 * skeleton of stem, four stages, downsampling layers, stage norms and conv head, 224x224 ImageNet preprocessing
 * and a size rule; only the blocks' spatial token mixer differs between families.
 */
public final class UnifiedModels {
  /** MetaArch downsamples by 4 in the stem and by 2 before stages 1-3. */
  public static final int DOWNSAMPLING = 32;

  private UnifiedModels() {}

  /**
   * The entry {@code u-<family>-<size>} of family {@code unified-<family>} (reference
   * {@code unified_<referenceFamily>_<size>}).
   */
  public static ModelEntry entry(String family, String referenceFamily, String size, int[] depths, int[] dims,
      float dropPath, VariantConfig config, BlockFactory blocks) {
    return new ModelEntry("u-" + family + "-" + size, "unified-" + family,
        "unified_" + referenceFamily + "_" + size, 224, dropPath, Preprocessing.imagenet(), config,
        ModelEntry.multipleOf(DOWNSAMPLING, "the skeleton downsamples by " + DOWNSAMPLING),
        (scope, options, rate) -> new UnifiedSkeleton(scope,
            UnifiedSkeleton.Config.of(depths, dims, options.inChannels(), options.numClasses(), options.imageSize(),
                rate),
            blocks));
  }
}
