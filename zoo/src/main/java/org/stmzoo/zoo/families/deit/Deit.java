package org.stmzoo.zoo.families.deit;

import java.util.List;
import java.util.stream.Stream;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.vit.VisionTransformer;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.EmbeddingResize;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * DeiT (timm 0.6.7 {@code deit_*_patch16_224}, facebookresearch/deit): ViTs with 16x16 patches, depth 12 and
 * MLP ratio 4, each plain and with a distillation token and head.
 */
public final class Deit implements Family {
  /** One size of the family, as in timm's {@code deit_*_patch16_224} definitions. */
  public record Variant(String size, int patch, int dim, int depth, int heads, double mlpRatio, boolean distilled)
      implements VariantConfig {
    String name() {
      return "deit-" + size + (distilled ? "-distilled" : "");
    }

    String reference() {
      return "deit_" + size + (distilled ? "_distilled" : "") + "_patch16_224";
    }

    Variant distill() {
      return new Variant(size, patch, dim, depth, heads, mlpRatio, true);
    }
  }

  static final int PATCH = 16;
  static final int DEPTH = 12;
  static final double MLP_RATIO = 4.0;

  static final List<Variant> PLAIN = List.of(
      new Variant("tiny", PATCH, 192, DEPTH, 3, MLP_RATIO, false),
      new Variant("small", PATCH, 384, DEPTH, 6, MLP_RATIO, false),
      new Variant("base", PATCH, 768, DEPTH, 12, MLP_RATIO, false));

  public static final List<Variant> VARIANTS =
      Stream.concat(PLAIN.stream(), PLAIN.stream().map(Variant::distill)).toList();

  /** DeiT's main.py default {@code --drop-path 0.1}. */
  public static final float DROP_PATH = 0.1f;
  /**
   * DeiT's own evaluation: ImageNet mean/std, bicubic, resize to 256 and center-crop 224 (crop 0.875, main.py's
   * {@code --eval-crop-ratio} default; before that flag, datasets.py's fixed 256/224). The published top-1 of the
   * released weights was measured so, and the model and its releases share this one crop; timm's default_cfg says
   * crop_pct 0.9 for the same weights, which gives another top-1.
   */
  public static final Preprocessing PREPROCESSING = Preprocessing.imagenet();

  @Override
  public String name() {
    return "deit";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(Deit::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    return new ModelEntry(v.name(), "deit", v.reference(), 224, DROP_PATH, PREPROCESSING, v,
        ModelEntry.multipleOf(v.patch(), "the image is cut into disjoint " + v.patch() + "x" + v.patch() + " patches"),
        (scope, options, dropPath) -> new VisionTransformer(scope, new VisionTransformer.Config(
            options.imageSize(), options.inChannels(), options.numClasses(), v.patch(), v.dim(), v.depth(),
            v.heads(), v.mlpRatio(), v.distilled(), dropPath)));
  }

  /**
   * timm 0.6.7's {@code vision_transformer.py} / {@code deit.py} names, which facebookresearch/deit's released
   * checkpoints share and stmzoo's paths mirror: {@code cls_token}, {@code dist_token} (distilled models),
   * {@code pos_embed} {@code [1, tokens + grid, C]}, {@code patch_embed.proj} (16x16 Conv),
   * {@code blocks.i.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2}, {@code norm}, {@code head} and
   * {@code head_dist}. timm's {@code ls1/ls2}, {@code fc_norm} and {@code pre_logits} are identities here and
   * hold no tensors. For another image size the position embedding's grid is resized as timm's
   * {@code resize_pos_embed} does.
   */
  @Override
  public KeyMap keyMap() {
    return KeyMap.builder()
        .variable("(cls_token|dist_token|pos_embed)", "$1")
        .resize("pos_embed", EmbeddingResize.tokenGrid())
        .sameModuleNames("patch_embed/proj|blocks/\\d+/(norm1|norm2|attn/qkv|attn/proj|mlp/fc1|mlp/fc2)"
            + "|norm|head|head_dist")
        .head("head/")
        .head("head_dist/")
        .build();
  }

  /**
   * facebookresearch/deit's weights (README_deit.md model zoo: top-1 and URLs). Their file names carry the first
   * eight hex digits of the SHA-256, checked as torch.hub's check_hash does. Apache-2.0 (the repository's licence
   * since January 2021). The published top-1 was measured with DeiT's own evaluation, {@link #PREPROCESSING}.
   */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return List.of(
        release("deit-tiny", "deit_tiny_patch16_224-a1311bcf.pth", 72.2),
        release("deit-small", "deit_small_patch16_224-cd65a155.pth", 79.9),
        release("deit-base", "deit_base_patch16_224-b5f2ef4d.pth", 81.8),
        release("deit-tiny-distilled", "deit_tiny_distilled_patch16_224-b40b3cf7.pth", 74.5),
        release("deit-small-distilled", "deit_small_distilled_patch16_224-649709d9.pth", 81.2),
        release("deit-base-distilled", "deit_base_distilled_patch16_224-df68dfff.pth", 83.4));
  }

  private static PretrainedManifest.Entry release(String model, String file, double top1) {
    return PretrainedManifest.Entry.release(model + ".in1k", model, List.of("https://dl.fbaipublicfiles.com/deit/"
            + file), top1, "facebookresearch/deit README_deit.md", "Apache-2.0", PREPROCESSING)
        .withHashPrefixFromFileName();
  }
}
