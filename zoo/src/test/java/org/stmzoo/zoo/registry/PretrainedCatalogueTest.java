package org.stmzoo.zoo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.pretrained.PretrainedManifest;

/** The shipped catalogue: every variant has published weights or a reason why not, and every entry is complete. */
class PretrainedCatalogueTest {
  private final List<PretrainedManifest.Entry> entries = ModelRegistry.pretrained().entries();
  private final Map<String, String> unpublished = ModelRegistry.unpublished();

  @Test
  void everyRegisteredVariantHasWeightsOrAReasonWhyNot() {
    Set<String> published = entries.stream().map(PretrainedManifest.Entry::model).collect(Collectors.toSet());
    for (ModelEntry model : ModelRegistry.all()) {
      boolean has = published.contains(model.name());
      boolean why = unpublished.containsKey(model.name());
      assertThat(has ^ why).as(model.name() + ": exactly one of a pretrained entry and an unpublished reason")
          .isTrue();
    }
    assertThat(unpublished).allSatisfy((model, reason) -> {
      assertThat(ModelRegistry.get(model).name()).isEqualTo(model);
      assertThat(reason).isNotBlank();
    });
    assertThat(entries).hasSize(20 + 8 + 6 + 4);
  }

  @Test
  void everyEntryNamesItsSourceAccuracyLicenceAndPreprocessing() {
    assertThat(entries).allSatisfy(e -> {
      assertThat(e.tag()).isEqualTo(e.model() + ".in1k");
      assertThat(e.top1()).isBetween(70.0, 86.0);
      assertThat(e.source()).isNotBlank();
      assertThat(e.licence()).isIn("MIT", "Apache-2.0");
      assertThat(e.urls()).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith("https://"));
      assertThat(e.urls().get(0)).endsWith("/" + e.file());
      assertThat(e.preprocessing().cropPct()).isIn(0.875f, 0.9f);
      assertThat(e.interpolation()).isEqualTo("bicubic");
    });
  }

  @Test
  void theReleasesAreTheOnesUpstreamPublishes() {
    Map<String, PretrainedManifest.Entry> byTag = entries.stream()
        .collect(Collectors.toMap(PretrainedManifest.Entry::tag, e -> e));
    assertThat(byTag.get("u-halo-base.in1k").urls()).containsExactly(
        "https://github.com/OpenGVLab/STM-Evaluation/releases/download/cls-ckpt/unified_halonet_base.pth");
    assertThat(byTag.get("u-dcnv3-tiny.in1k").file()).isEqualTo("unified_internimage_tiny.pth");
    assertThat(byTag.get("u-dcnv3-tiny.in1k").top1()).isEqualTo(83.3);
    assertThat(entries.stream().filter(e -> e.model().startsWith("u-")).map(PretrainedManifest.Entry::file))
        .hasSize(20).allMatch(f -> f.matches("unified_(halonet|pvt|swin|convnext|internimage)_"
            + "(micro|tiny|small|base)\\.pth"));
    assertThat(entries.stream().filter(e -> e.model().startsWith("pit-")))
        .hasSize(8).allSatisfy(e -> assertThat(e.urls()).hasSize(2).last().asString()
            .startsWith("https://drive.google.com/uc?export=download&id="));
    assertThat(byTag.get("shiftvit-r2-small.in1k").file()).isEqualTo("shiftvit_small_r2.pth");
  }

  /** torch.hub's HASH_REGEX, as timm's check_hash applies it to the file name. */
  @Test
  void deitFileNamesCarryTheirSha256PrefixAndEveryOtherEntryIsPinnedOnFirstUse() {
    Pattern hubHash = Pattern.compile("-([a-f0-9]*)\\.");
    assertThat(entries.stream().filter(e -> e.model().startsWith("deit-"))).hasSize(6).allSatisfy(e -> {
      Matcher m = hubHash.matcher(e.file());
      assertThat(m.find()).isTrue();
      assertThat(e.sha256Prefix()).isEqualTo(m.group(1)).hasSize(8);
      assertThat(e.urls()).containsExactly("https://dl.fbaipublicfiles.com/deit/" + e.file());
    });
    assertThat(entries.stream().filter(e -> !e.model().startsWith("deit-")))
        .allSatisfy(e -> assertThat(e.sha256Prefix()).isNull());
  }
}
