package org.stmzoo.zoo.families.shiftvit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.shiftvit.ShiftVitNetwork;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.Family;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.VariantConfig;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * ShiftViT (SPACH, {@code models/registry.py}): a Swin-like hierarchy whose attention is replaced by a
 * parameter-free shift of 4/n_div of the channels. "light" keeps Swin's depths, "r4"/"r2" deepen the network
 * (r2 with MLP ratio 2) to spend the FLOPs the shift saved. Drop-path rates are the registry's.
 */
public final class ShiftVit implements Family {
  /** One registered variant: {@code kind} light/r4/r2, {@code size} tiny/small/base. */
  public record Variant(String kind, String size, int embedDim, int[] depths, double mlpRatio, int nDiv,
      float dropPath) implements VariantConfig {
    String name() {
      return "shiftvit-" + kind + "-" + size;
    }

    String reference() {
      return "shiftvit_" + kind + "_" + size;
    }
  }

  public static final List<Variant> VARIANTS = List.of(
      new Variant("light", "tiny", 96, new int[] {2, 2, 6, 2}, 4, 12, 0.2f),
      new Variant("r4", "tiny", 96, new int[] {2, 2, 12, 3}, 4, 12, 0.2f),
      new Variant("r2", "tiny", 96, new int[] {6, 8, 18, 6}, 2, 12, 0.2f),
      new Variant("light", "small", 96, new int[] {2, 2, 18, 2}, 4, 12, 0.4f),
      new Variant("r4", "small", 96, new int[] {2, 6, 24, 4}, 4, 12, 0.4f),
      new Variant("r2", "small", 96, new int[] {10, 18, 36, 10}, 2, 12, 0.4f),
      new Variant("light", "base", 128, new int[] {2, 2, 18, 2}, 4, 16, 0.5f),
      new Variant("r4", "base", 128, new int[] {4, 6, 22, 4}, 4, 16, 0.5f),
      new Variant("r2", "base", 128, new int[] {10, 18, 36, 10}, 2, 16, 0.6f));

  @Override
  public String name() {
    return "shiftvit";
  }

  @Override
  public List<ModelEntry> models() {
    return VARIANTS.stream().map(ShiftVit::entry).toList();
  }

  /** The entry of a variant: a registered one, or one of your own sizes. */
  public static ModelEntry entry(Variant v) {
    ShiftVitNetwork.Config imagenet = config(v, 3, 1000, v.dropPath());
    // PyTorch's strided convs would floor other sizes and silently drop the last rows and columns.
    return new ModelEntry(v.name(), "shiftvit", v.reference(), 224, v.dropPath(), Preprocessing.imagenet(), v,
        ModelEntry.multipleOf(imagenet.downsampling(), "the 4x4 stem and three 2x2 patch mergings must tile the image"),
        (scope, options, dropPath) ->
            new ShiftVitNetwork(scope, config(v, options.inChannels(), options.numClasses(), dropPath)));
  }

  private static ShiftVitNetwork.Config config(Variant v, int inChannels, int numClasses, float dropPath) {
    return new ShiftVitNetwork.Config(v.embedDim(), v.depths(), v.mlpRatio(), v.nDiv(), inChannels, numClasses,
        dropPath);
  }

  /**
   * SPACH's {@code models/shiftvit.py} names, which stmzoo's paths mirror: {@code patch_embed.proj} and
   * {@code patch_embed.norm}, {@code layers.i.blocks.j.norm2} and {@code .mlp.fc1/fc2} (1x1 Convs, imported as
   * 1x1 HWIO kernels), {@code layers.i.downsample.norm} and {@code .reduction} (2x2 Conv), {@code norm} and
   * {@code head}. Every norm is SPACH's GroupNorm with one group (the registry's default {@code GN1}); the shift
   * itself holds no tensors.
   */
  @Override
  public KeyMap keyMap() {
    return KeyMap.builder()
        .sameModuleNames("patch_embed/(proj|norm)|layers/\\d+/(blocks/\\d+/(norm2|mlp/fc1|mlp/fc2)"
            + "|downsample/(norm|reduction))|norm|head")
        .head("head/")
        .build();
  }

  /**
   * microsoft/SPACH's release v1.0 (README model zoo: "Shift-T / light", "Shift-T", "Shift-S / light", "Shift-S";
   * the unqualified names are the r2 variants by their parameter counts, 29M and 50M). MIT, as the repository.
   * Evaluated as SPACH's datasets.py does: resize 256, crop 224, bicubic.
   */
  @Override
  public List<PretrainedManifest.Entry> pretrained() {
    return List.of(
        release("shiftvit-light-tiny", "shiftvit_tiny_light.pth", 79.4),
        release("shiftvit-r2-tiny", "shiftvit_tiny_r2.pth", 81.7),
        release("shiftvit-light-small", "shiftvit_small_light.pth", 81.6),
        release("shiftvit-r2-small", "shiftvit_small_r2.pth", 82.8));
  }

  private static PretrainedManifest.Entry release(String model, String file, double top1) {
    return PretrainedManifest.Entry.release(model + ".in1k", model,
        List.of("https://github.com/microsoft/SPACH/releases/download/v1.0/" + file), top1, "microsoft/SPACH README",
        "MIT", Preprocessing.imagenet());
  }

  @Override
  public Map<String, String> unpublished() {
    String why = "microsoft/SPACH's README publishes ShiftViT weights for light and r2 at tiny and small only";
    Map<String, String> reasons = new LinkedHashMap<>();
    for (String name : List.of("shiftvit-r4-tiny", "shiftvit-r4-small", "shiftvit-light-base", "shiftvit-r4-base",
        "shiftvit-r2-base")) {
      reasons.put(name, why);
    }
    return reasons;
  }
}
