package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.recipes.train.CosineSchedule;

class CosineScheduleTest {
  // 10 epochs of 100 steps, 2 warm-up epochs: base 1e-3, min 1e-5, warm-up start 1e-6.
  private final CosineSchedule schedule = CosineSchedule.of(1e-3, 1e-5, 1e-6, 2, 10, 100);

  @Test
  void warmupIsLinearFromTheWarmupRate() {
    assertThat(schedule.lr(0)).isEqualTo(1e-6);
    assertThat(schedule.lr(100)).isCloseTo(1e-6 + 100 * (1e-3 - 1e-6) / 200, within(1e-15));
  }

  @Test
  void warmupEndJoinsTheCosineCountedFromStepZero() {
    // timm (warmup_prefix=False): at t = warmup_t the cosine is already at t / t_initial = 0.2.
    double expected = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 200 / 1000));
    assertThat(schedule.lr(200)).isCloseTo(expected, within(1e-15));
    assertThat(schedule.lr(199)).isCloseTo(1e-6 + 199 * (1e-3 - 1e-6) / 200, within(1e-15));
  }

  @Test
  void lastStepIsJustAboveTheMinimumAndAfterwardsTheMinimum() {
    double last = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI * 999 / 1000));
    assertThat(schedule.lr(999)).isCloseTo(last, within(1e-15));
    assertThat(schedule.lr(999)).isBetween(1e-5, 1.001e-5);
    assertThat(schedule.lr(1000)).isEqualTo(1e-5);
  }

  @Test
  void scaledLrFollowsTheLinearRule() {
    assertThat(RecipeConfig.deit(300, 128).scaledLr()).isCloseTo(5e-4 * 128 / 512, within(1e-15));
  }
}
