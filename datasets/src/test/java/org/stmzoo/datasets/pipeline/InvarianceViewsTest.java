package org.stmzoo.datasets.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The invariance views against expectations worked out by hand. Most sources are already at the resize target
 * (side {@code size / cropPct}), so the bicubic resize is the identity and every output pixel is a known source
 * pixel or zero.
 */
class InvarianceViewsTest {
  /** Gray image with a distinct value per pixel: {@code (y * w + x + 1) / (h * w + 1)}, never zero. */
  private static FloatImage pattern(int h, int w) {
    float[] data = new float[h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = (i + 1f) / (data.length + 1f);
    }
    return new FloatImage(data, h, w, 1);
  }

  @Test
  void theReferenceViewResizesToTheSideEvalUses() {
    // 224 at 0.8: eval resizes to 280 (the float 0.8f widened to double would give 279). A source whose shorter
    // side is already 280 is then only cropped, at round((280 - 224) / 2) = 28 and round((300 - 224) / 2) = 38.
    FloatImage source = pattern(280, 300);
    assertThat(EvalResizeCrop.resizeTarget(224, 0.8f)).isEqualTo(280);
    assertThat(InvarianceViews.reference(source, 224, 0.8f).data())
        .containsExactly(source.crop(new CropBox(28, 38, 224, 224)).data());
    // 288 at 0.72: 400 (not 399); crop at (400 - 288) / 2 = 56
    FloatImage square = pattern(400, 400);
    assertThat(EvalResizeCrop.resizeTarget(288, 0.72f)).isEqualTo(400);
    assertThat(InvarianceViews.reference(square, 288, 0.72f).data())
        .containsExactly(square.crop(new CropBox(56, 56, 288, 288)).data());
    // and every crop-based view at level 0 is what eval feeds
    FloatImage other = pattern(61, 47);
    float[] eval = EvalResizeCrop.apply(other, 224, 0.8f).data();
    assertThat(InvarianceViews.reference(other, 224, 0.8f).data()).containsExactly(eval);
    assertThat(InvarianceViews.rotated(other, 224, 0.8f, 0, true).data()).containsExactly(eval);
    assertThat(InvarianceViews.rotated(other, 224, 0.8f, 0, false).data()).containsExactly(eval);
  }
}
