package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** A value an analysis's spec refuses is named on its own, with the bound it misses. */
class AnalysisSpecsTest {
  private static void refused(ThrowingCallable spec, String message) {
    assertThatThrownBy(spec).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static Robustness.Spec robustness(int steps, int images, int batchSize, int saveExamples) {
    return new Robustness.Spec(Robustness.Attack.PGD, new double[] {1 / 255.0}, steps, null, false, 0, images,
        batchSize, null, saveExamples);
  }

  @Test
  void robustness() {
    robustness(1, 1, 1, 0);
    refused(() -> robustness(0, 1, 1, 0), "Robustness.Spec.steps must be >= 1, got 0");
    refused(() -> robustness(1, 0, 1, 0), "Robustness.Spec.images must be >= 1, got 0");
    refused(() -> robustness(1, 1, 0, 0), "Robustness.Spec.batchSize must be >= 1, got 0");
    refused(() -> robustness(1, 1, 1, -1), "Robustness.Spec.saveExamples must be >= 0, got -1");
  }

  @Test
  void invariance() {
    new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, null);
    refused(() -> new Invariance.Spec(Invariance.Type.SCALE, 0, 1, 0, null),
        "Invariance.Spec.images must be >= 1, got 0");
    refused(() -> new Invariance.Spec(Invariance.Type.SCALE, 1, -2, 0, null),
        "Invariance.Spec.batchSize must be >= 1, got -2");
  }

  @Test
  void erf() {
    new Erf.Spec(1, 1, 0, 1);
    refused(() -> new Erf.Spec(0, 1, null, 1), "Erf.Spec.images must be >= 1, got 0");
    refused(() -> new Erf.Spec(1, 0, null, 1), "Erf.Spec.imageSize must be >= 1, got 0");
    refused(() -> new Erf.Spec(1, 1, null, 0), "Erf.Spec.batchSize must be >= 1, got 0");
    refused(() -> new Erf.Spec(1, 1, -1, 1), "Erf.Spec.stage must be >= 0, got -1");
  }
}
