package org.stmzoo.zoo.weights;

/**
 * ShiftViT's names (SPACH {@code models/shiftvit.py}), which stmzoo's paths mirror: {@code patch_embed.proj}
 * and {@code patch_embed.norm}, {@code layers.i.blocks.j.norm2} and {@code .mlp.fc1/fc2} (1x1 Convs, imported as
 * 1x1 HWIO kernels), {@code layers.i.downsample.norm} and {@code .reduction} (2x2 Conv), {@code norm} and
 * {@code head}. Every norm is SPACH's GroupNorm with one group (the registry's default {@code GN1}); the shift
 * itself holds no tensors.
 */
public final class ShiftVitKeyMap {
  private ShiftVitKeyMap() {}

  public static KeyMap shiftVit() {
    return KeyMap.builder()
        .sameModuleNames("patch_embed/(proj|norm)|layers/\\d+/(blocks/\\d+/(norm2|mlp/fc1|mlp/fc2)"
            + "|downsample/(norm|reduction))|norm|head")
        .head("head/")
        .build();
  }
}
