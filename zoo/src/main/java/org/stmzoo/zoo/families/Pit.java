package org.stmzoo.zoo.families;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.stmzoo.layers.vit.PoolingVisionTransformer;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * PiT, pooling-based vision transformers (timm 0.6.7 {@code pit_*_224}, naver-ai/pit), each plain and
 * DeiT-style distilled. Trained with DeiT's recipe, whose default drop-path rate is 0.1.
 */
public final class Pit {
  /** One size of the family, as in timm's {@code pit_*_224} definitions. */
  record Variant(String size, int patch, int stride, int[] baseDims, int[] depths, int[] heads) {}

  static final List<Variant> VARIANTS = List.of(
      new Variant("ti", 16, 8, new int[] {32, 32, 32}, new int[] {2, 6, 4}, new int[] {2, 4, 8}),
      new Variant("xs", 16, 8, new int[] {48, 48, 48}, new int[] {2, 6, 4}, new int[] {2, 4, 8}),
      new Variant("s", 16, 8, new int[] {48, 48, 48}, new int[] {2, 6, 4}, new int[] {3, 6, 12}),
      new Variant("b", 14, 7, new int[] {64, 64, 64}, new int[] {3, 6, 4}, new int[] {4, 8, 16}));

  static final double MLP_RATIO = 4.0;
  /** DeiT's main.py default {@code --drop-path 0.1}, which PiT's training followed. */
  static final float DROP_PATH = 0.1f;

  private Pit() {}

  public static List<ModelEntry> entries() {
    return Stream.of(false, true)
        .flatMap(distilled -> VARIANTS.stream().map(v -> entry(v, distilled)))
        .toList();
  }

  private static ModelEntry entry(Variant v, boolean distilled) {
    String suffix = distilled ? "-distilled" : "";
    return new ModelEntry(
        "pit-" + v.size() + suffix, "pit", "pit_" + v.size() + (distilled ? "_distilled" : "") + "_224",
        224, DROP_PATH, TimmPreprocessing.imagenetCrop09(),
        "patch=" + v.patch() + " stride=" + v.stride() + " base_dims=" + Arrays.toString(v.baseDims())
            + " depths=" + Arrays.toString(v.depths()) + " heads=" + Arrays.toString(v.heads())
            + (distilled ? " distilled" : ""),
        sizeRule(v),
        (scope, options, dropPath) -> new PoolingVisionTransformer(scope, new PoolingVisionTransformer.Config(
            options.imageSize(), options.inChannels(), options.numClasses(), v.patch(), v.stride(), v.baseDims(),
            v.depths(), v.heads(), MLP_RATIO, distilled, dropPath)));
  }

  /**
   * The patch convolution has no padding and floors its output, so a size that is not the patch size plus a
   * multiple of the stride would leave border pixels that no patch sees.
   */
  static IntFunction<Optional<String>> sizeRule(Variant v) {
    return size -> size >= v.patch() && (size - v.patch()) % v.stride() == 0
        ? Optional.empty()
        : Optional.of("it must be at least " + v.patch() + " and a multiple of " + v.stride()
            + " (the unpadded " + v.patch() + "x" + v.patch() + " stride-" + v.stride()
            + " patch convolution must cover the image exactly)");
  }
}
