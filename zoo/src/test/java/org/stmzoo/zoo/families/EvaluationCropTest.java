package org.stmzoo.zoo.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.families.deit.Deit;
import org.stmzoo.zoo.families.pit.Pit;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * One evaluation crop per set of weights: a model's own preprocessing (what an imported checkpoint without a
 * recorded crop falls back to) is the one its published top-1 was measured with.
 */
class EvaluationCropTest {
  @Test
  void deitAndPitCropAsDeitsEvaluationDoes() {
    // DeiT's main.py --eval-crop-ratio 0.875 (resize 256, crop 224), not timm's default_cfg crop_pct 0.9
    Stream.concat(new Deit().models().stream(), new Pit().models().stream()).forEach(model -> {
      assertThat(model.preprocessing().cropPct()).as(model.name()).isEqualTo(0.875f);
      assertThat(model.preprocessing().interpolation()).as(model.name()).isEqualTo("bicubic");
    });
  }

  @Test
  void everyReleaseIsEvaluatedAsItsModel() {
    for (PretrainedManifest.Entry release : ModelRegistry.pretrained().entries()) {
      ModelEntry model = ModelRegistry.get(release.model());
      assertSame(release.tag(), release.preprocessing(), model.preprocessing());
    }
  }

  private static void assertSame(String what, Preprocessing release, Preprocessing model) {
    assertThat(release.cropPct()).as(what + " crop").isEqualTo(model.cropPct());
    assertThat(release.mean()).as(what + " mean").containsExactly(model.mean());
    assertThat(release.std()).as(what + " std").containsExactly(model.std());
    assertThat(release.interpolation()).as(what + " interpolation").isEqualTo(model.interpolation());
  }
}
