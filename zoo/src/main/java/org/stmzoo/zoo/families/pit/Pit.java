package org.stmzoo.zoo.families.pit;

import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.vit.PoolingVisionTransformer;
import org.stmzoo.zoo.families.deit.Deit;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * PiT, pooling-based vision transformers (timm 0.6.7 {@code pit_*_224}, naver-ai/pit), each plain and
 * DeiT-style distilled. Trained with DeiT's recipe, whose default drop-path rate is 0.1.
 */
public final class Pit implements Family {
  /** One size of the family, as in timm's {@code pit_*_224} definitions. */
  public record Variant(String size, int patch, int stride, int[] baseDims, int[] depths, int[] heads,
      double mlpRatio, boolean distilled) implements VariantConfig {
    String name() {
      return "pit-" + size + (distilled ? "-distilled" : "");
    }

    String reference() {
      return "pit_" + size + (distilled ? "_distilled" : "") + "_224";
    }

    Variant distill() {
      return new Variant(size, patch, stride, baseDims, depths, heads, mlpRatio, true);
    }
  }

  static final double MLP_RATIO = 4.0;

  static final List<Variant> PLAIN = List.of(
      new Variant("ti", 16, 8, new int[] {32, 32, 32}, new int[] {2, 6, 4}, new int[] {2, 4, 8}, MLP_RATIO, false),
      new Variant("xs", 16, 8, new int[] {48, 48, 48}, new int[] {2, 6, 4}, new int[] {2, 4, 8}, MLP_RATIO, false),
      new Variant("s", 16, 8, new int[] {48, 48, 48}, new int[] {2, 6, 4}, new int[] {3, 6, 12}, MLP_RATIO, false),
      new Variant("b", 14, 7, new int[] {64, 64, 64}, new int[] {3, 6, 4}, new int[] {4, 8, 16}, MLP_RATIO, false));

  public static final List<Variant> VARIANTS =
      Stream.concat(PLAIN.stream(), PLAIN.stream().map(Variant::distill)).toList();

  /**
   * PiT was trained with DeiT's code and recipe (drop path 0.1; naver-ai/pit's README compares PiT and DeiT trained
   * alike in its "+DeiT" column), so it shares DeiT's evaluation too, crop 0.875 ({@link Deit#PREPROCESSING}):
   * naver-ai publishes no other. timm's pit default_cfgs say crop_pct 0.9, timm's default for its ViTs, not a
   * figure from naver-ai.
   */
  static final float DROP_PATH = Deit.DROP_PATH;
  static final Preprocessing PREPROCESSING = Deit.PREPROCESSING;

  @Override
  public String name() {
    return "pit";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(Pit::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    return new ModelEntry(v.name(), "pit", v.reference(), 224, DROP_PATH, PREPROCESSING, v, sizeRule(v),
        (scope, options, dropPath) -> new PoolingVisionTransformer(scope, new PoolingVisionTransformer.Config(
            options.imageSize(), options.inChannels(), options.numClasses(), v.patch(), v.stride(), v.baseDims(),
            v.depths(), v.heads(), v.mlpRatio(), v.distilled(), dropPath)));
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

  @Override
  public KeyMap keyMap() {
    return PitKeyMap.pit();
  }

  /**
   * naver-ai/pit's weights (README "Pretrained weights" table: top-1 and Google Drive links), as timm re-hosts them
   * on its GitHub release under the same file names; timm's URL comes first because Drive answers large files with
   * a confirmation page (which the downloader refuses as "a web page, not the file"). Apache-2.0, as the
   * repository. Evaluated as DeiT's code does (crop 0.875, bicubic), as the published top-1 was.
   */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return List.of(
        release("pit-ti", "pit_ti_730.pth", "17BS8UamKhZBq_-0PfSls6U0Pp8Tmree0", 73.0),
        release("pit-xs", "pit_xs_781.pth", "1F7x2owp7frFJoyojoF80L7yB-DA9jhmi", 78.1),
        release("pit-s", "pit_s_809.pth", "1shVYwAmYesWioca7NiDM2ESrZYEjZsaG", 80.9),
        release("pit-b", "pit_b_820.pth", "1whd2saHjELyj6ESdkXSD1x8mMMYrRGNV", 82.0),
        release("pit-ti-distilled", "pit_ti_distill_746.pth", "1dszOX9nvHcNuuY5a9_dUAYVxhQWcDK2c", 74.6),
        release("pit-xs-distilled", "pit_xs_distill_791.pth", "1C_C_F40-VEhk23xuvl2qwlocDHutOw30", 79.1),
        release("pit-s-distilled", "pit_s_distill_819.pth", "15fQvnjii-vpsFk1iaF0TVIw4gyyGXc09", 81.9),
        release("pit-b-distilled", "pit_b_distill_840.pth", "1JOk63pIj6OxW0R93TiIizcb5VIc-HNML", 84.0));
  }

  /** timm's copy of naver-ai's file (the name carries the published top-1), then naver-ai's Drive original. */
  private static PretrainedManifest.Entry release(String model, String file, String driveId, double top1) {
    return PretrainedManifest.Entry.release(model + ".in1k", model, List.of(
            "https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-pit-weights/" + file,
            "https://drive.google.com/uc?export=download&id=" + driveId),
        top1, "naver-ai/pit README; timm 0.6.7 pit.py default_cfgs", "Apache-2.0", PREPROCESSING);
  }
}
