package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
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

  @Test
  void writingIntoTheArraysGivenOrHandedOutChangesNothing() {
    float[] mean = {0.1f, 0.2f, 0.3f};
    Preprocessing p = new Preprocessing(mean, RGB.clone(), 0.9f, "bicubic");
    mean[0] = 7f;
    p.mean()[1] = 7f;
    p.std()[2] = 7f;
    assertThat(p.mean()).containsExactly(0.1f, 0.2f, 0.3f);
    assertThat(p.std()).containsExactly(0.5f, 0.5f, 0.5f);
    Preprocessing shared = Preprocessing.imagenet();
    shared.mean()[0] = 0f;
    assertThat(shared.mean()[0]).isEqualTo(0.485f);
  }

  @Test
  void equalValuesAreEqualWhateverTheArrays() {
    Preprocessing a = new Preprocessing(RGB.clone(), RGB.clone(), 0.9f, "bicubic");
    Preprocessing b = new Preprocessing(RGB.clone(), RGB.clone(), 0.9f, "bicubic");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.withCropPct(0.8f));
    assertThat(a).isNotEqualTo(new Preprocessing(RGB.clone(), new float[] {0.5f, 0.5f, 0.4f}, 0.9f, "bicubic"));
    assertThat(a.toString()).isEqualTo("Preprocessing[mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5], cropPct=0.9, "
        + "interpolation=bicubic]");
  }
}
