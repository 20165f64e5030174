package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.Preprocessing;

/** The served pipeline's resize target is timm's {@code floor(size / crop_pct)} with the crop fraction as written. */
class ImagePipelineTest {
  private static int resizeTarget(int size, float cropPct) {
    float[] half = {0.5f, 0.5f, 0.5f};
    return new ImagePipeline(size, new Preprocessing(half, half, cropPct, "bicubic")).resizeShorterSideTo();
  }

  @Test
  void resizeTargetIsTimmsFloorOfSizeOverCropPct() {
    // float arithmetic gives 479 for 288 / 0.6f; Python's math.floor(288 / 0.6) is 480
    assertThat(resizeTarget(288, 0.6f)).isEqualTo(480);
    assertThat(resizeTarget(224, 0.8f)).isEqualTo(280);
    assertThat(resizeTarget(224, 0.875f)).isEqualTo(256);
    assertThat(resizeTarget(224, 0.9f)).isEqualTo(248);
    assertThat(resizeTarget(224, 1f)).isEqualTo(224);
  }
}
