package org.stmzoo.zoo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelRegistryTest {
  @Test
  void everyFamilyRegistersItsModelsKeyMapAndWeightsOnce() {
    assertThat(ModelRegistry.families()).extracting(Family::name).containsExactly("unified-convnext", "unified-halo",
        "unified-swin", "unified-pvt", "unified-dcnv3", "pit", "deit", "shiftvit");
    assertThat(ModelRegistry.all()).hasSize(43);
    for (Family f : ModelRegistry.families()) {
      assertThat(f.models()).isNotEmpty().allSatisfy(e -> assertThat(e.family()).isEqualTo(f.name()));
      assertThat(f.pretrained()).allSatisfy(p -> assertThat(ModelRegistry.get(p.model()).family()).isEqualTo(f.name()));
    }
    // the key map is the family's: a U-Halo variable maps to MetaArch's name
    assertThat(ModelRegistry.keyMap(ModelRegistry.get("u-halo-micro"))
        .referenceKey("stages/2/blocks/5/mixer/kv/kernel")).hasValue("stages.2.5.attn.kv.weight");
  }

  @Test
  void configsAreTypedRecordsDescribedByTheirComponents() {
    assertThat(ModelRegistry.get("u-swin-micro").config().describe())
        .isEqualTo("size=micro depths=[2, 2, 9, 2] dims=[32, 64, 128, 256] heads=[1, 2, 4, 8] dropPath=0.0"
            + " windowSize=7");
    assertThat(ModelRegistry.get("pit-ti-distilled").config().describe()).contains("baseDims=[32, 32, 32]")
        .endsWith("distilled=true");
  }

  @Test
  void unknownFamiliesAndModelsAreNamed() {
    assertThatThrownBy(() -> ModelRegistry.family("resnet")).hasMessageContaining("unknown model family 'resnet'");
    assertThatThrownBy(() -> ModelRegistry.get("u-convnext-mikro")).hasMessageContaining("u-convnext-micro");
  }
}
