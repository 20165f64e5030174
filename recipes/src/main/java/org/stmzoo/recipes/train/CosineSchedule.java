package org.stmzoo.recipes.train;

/**
 * timm's {@code CosineLRScheduler} (one cycle, no noise, {@code warmup_prefix=False}) evaluated per step
 * ({@code t_in_epochs=False}): linear warm-up from {@code warmupLr} to {@code baseLr} over {@code warmupSteps},
 * then {@code minLr + (baseLr - minLr)(1 + cos(pi t / totalSteps)) / 2} with t counted from step 0, and
 * {@code minLr} from {@code totalSteps} on. Step {@code t} is the update about to be made (0-based), as timm's
 * {@code step_update(num_updates)} sets the rate for the next update.
 */
public record CosineSchedule(double baseLr, double minLr, double warmupLr, long warmupSteps, long totalSteps) {
  public CosineSchedule {
    if (totalSteps <= 0) {
      throw new IllegalArgumentException("the schedule needs at least one step");
    }
  }

  public static CosineSchedule of(double baseLr, double minLr, double warmupLr, double warmupEpochs, int epochs,
      long stepsPerEpoch) {
    return new CosineSchedule(baseLr, minLr, warmupLr, Math.round(warmupEpochs * stepsPerEpoch),
        epochs * stepsPerEpoch);
  }

  public double lr(long step) {
    if (step < warmupSteps) {
      return warmupLr + step * (baseLr - warmupLr) / warmupSteps;
    }
    if (step >= totalSteps) {
      return minLr;
    }
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * step / totalSteps));
  }
}
