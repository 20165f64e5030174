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

  /** DeiT's warm-up of 5 epochs and unscaled floor, given a short run at a small batch, are reported. */
  @Test
  void scheduleNotesNameAWarmUpAsLongAsTheRunAndAFloorAboveThePeak() {
    // 2 epochs at batch 4: 5 warm-up epochs; peak 5e-4 x 4 / 512 = 3.906e-6, under --min-lr 1e-5
    assertThat(RecipeConfig.deit(2, 4).scheduleNotes()).containsExactly(
        "--warmup-epochs 5 is not shorter than the run's 2 epochs: the rate rises from --warmup-lr 1.0e-06 and never"
            + " reaches 3.906e-06 (give fewer warm-up epochs, e.g. --warmup-epochs 0)",
        "--min-lr 1.0e-05 is above the peak rate 3.906e-06 (--lr 5.0e-04 x batch 4 / 512; --min-lr is not scaled"
            + " by the batch): the cosine rises to it instead of decaying (give a --min-lr below the peak)");
    // DeiT's own run: 300 epochs at batch 1024, neither
    assertThat(RecipeConfig.deit(300, 1024).scheduleNotes()).isEmpty();
    // no warm-up at all is not a warm-up as long as the run
    RecipeConfig d = RecipeConfig.deit(1, 512);
    assertThat(new RecipeConfig(1, 512, d.lr(), d.minLr(), d.warmupLr(), 0, d.weightDecay(), d.clipGrad(),
        d.smoothing(), d.mixup(), d.cutmix(), d.mixupSwitchProb(), d.reprob(), d.modelEma(), d.modelEmaDecay(),
        d.evalEma(), d.distillation(), d.seed()).scheduleNotes()).isEmpty();
  }
}
