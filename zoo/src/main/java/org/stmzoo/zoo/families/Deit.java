package org.stmzoo.zoo.families;

import java.util.List;
import java.util.stream.Stream;
import org.stmzoo.layers.vit.VisionTransformer;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * DeiT (timm 0.6.7 {@code deit_*_patch16_224}, facebookresearch/deit): ViTs with 16x16 patches, depth 12 and
 * MLP ratio 4, each plain and with a distillation token and head.
 */
public final class Deit {
  /** One size of the family, as in timm's {@code deit_*_patch16_224} definitions. */
  record Variant(String size, int dim, int heads) {}

  static final List<Variant> VARIANTS = List.of(
      new Variant("tiny", 192, 3),
      new Variant("small", 384, 6),
      new Variant("base", 768, 12));

  static final int PATCH = 16;
  static final int DEPTH = 12;
  static final double MLP_RATIO = 4.0;
  /** DeiT's main.py default {@code --drop-path 0.1}. */
  static final float DROP_PATH = 0.1f;

  private Deit() {}

  public static List<ModelEntry> entries() {
    return Stream.of(false, true)
        .flatMap(distilled -> VARIANTS.stream().map(v -> entry(v, distilled)))
        .toList();
  }

  private static ModelEntry entry(Variant v, boolean distilled) {
    return new ModelEntry(
        "deit-" + v.size() + (distilled ? "-distilled" : ""), "deit",
        "deit_" + v.size() + (distilled ? "_distilled" : "") + "_patch16_224",
        224, DROP_PATH, TimmPreprocessing.imagenetCrop09(),
        "patch=" + PATCH + " dim=" + v.dim() + " depth=" + DEPTH + " heads=" + v.heads()
            + (distilled ? " distilled" : ""),
        ModelEntry.multipleOf(PATCH, "the image is cut into disjoint " + PATCH + "x" + PATCH + " patches"),
        (scope, options, dropPath) -> new VisionTransformer(scope, new VisionTransformer.Config(
            options.imageSize(), options.inChannels(), options.numClasses(), PATCH, v.dim(), DEPTH, v.heads(),
            MLP_RATIO, distilled, dropPath)));
  }
}
