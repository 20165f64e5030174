package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every source of preprocessing (families, checkpoints, manifests, exports) gets the same checks. */
class PreprocessingTest {
  private static final float[] RGB = {0.5f, 0.5f, 0.5f};

  @Test
  void refusesACropOutsideZeroToOne() {
    assertThatThrownBy(() -> new Preprocessing(RGB, RGB, 0f, "bicubic"))
        .hasMessage("cropPct must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> Preprocessing.imagenet().withCropPct(Float.NaN))
        .hasMessage("cropPct must be in (0, 1], got NaN");
  }

  @Test
  void refusesMeansAndStdsThatDoNotNormalise() {
    assertThatThrownBy(() -> new Preprocessing(RGB, new float[] {0.5f}, 0.9f, "bicubic"))
        .hasMessage("mean and std must hold one value a channel each, got 3 and 1");
    assertThatThrownBy(() -> new Preprocessing(RGB, new float[] {0.5f, 0f, 0.5f}, 0.9f, "bicubic"))
        .hasMessage("std[1] must be > 0 and finite, got 0.0");
    assertThatThrownBy(() -> new Preprocessing(new float[] {Float.NaN}, new float[] {1f}, 0.9f, "bicubic"))
        .hasMessageStartingWith("mean[0] must be finite");
  }
}
