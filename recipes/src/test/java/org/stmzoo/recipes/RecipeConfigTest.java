package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecipeConfigTest {
  /** DeiT's defaults with one field replaced. */
  private static RecipeConfig with(String field, double v) {
    RecipeConfig d = RecipeConfig.deit(1, 4);
    return new RecipeConfig(d.epochs(), d.batchSize(),
        field.equals("lr") ? v : d.lr(), d.minLr(), d.warmupLr(), d.warmupEpochs(),
        field.equals("weightDecay") ? v : d.weightDecay(), d.clipGrad(), d.smoothing(),
        field.equals("mixup") ? v : d.mixup(), field.equals("cutmix") ? v : d.cutmix(), d.mixupSwitchProb(),
        field.equals("reprob") ? v : d.reprob(), d.modelEma(),
        field.equals("modelEmaDecay") ? v : d.modelEmaDecay(), d.evalEma(), d.distillation(), d.seed());
  }

  @Test
  void defaultsAreAccepted() {
    assertThat(with("none", 0).reprob()).isEqualTo(0.25);
  }

  @Test
  void nanIsRejectedNamingTheField() {
    for (String field : new String[] {"reprob", "lr", "mixup", "cutmix", "modelEmaDecay", "weightDecay"}) {
      assertThatThrownBy(() -> with(field, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(field).hasMessageContaining("NaN");
    }
  }

  @Test
  void infinityIsRejectedNamingTheField() {
    for (String field : new String[] {"cutmix", "mixup", "lr", "weightDecay"}) {
      assertThatThrownBy(() -> with(field, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(field).hasMessageContaining("Infinity");
    }
    assertThatThrownBy(() -> with("reprob", Double.NEGATIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reprob");
  }

  @Test
  void distillationRejectsNonFiniteAlphaAndTau() {
    assertThatThrownBy(() -> new RecipeConfig.Distillation("soft", Double.NaN, 1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
    assertThatThrownBy(() -> new RecipeConfig.Distillation("soft", 0.5, Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tau");
  }
}
