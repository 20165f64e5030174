package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/** The benchmark times each warm-up step apart from the timed ones, and refuses a spec that times nothing. */
class ThroughputBenchmarkTest {
  private static final ModelOptions TINY = ModelOptions.imagenet().withImageSize(32).withNumClasses(10);

  private static ThroughputBenchmark.Result run(ThroughputBenchmark.Mode mode, int steps, int warmup) {
    return ThroughputBenchmark.run(ModelRegistry.get("pit-ti"), TINY,
        new ThroughputBenchmark.Spec(mode, 2, steps, warmup, ThreadPlan.throughput(1), false, false));
  }

  @Test
  void eachWarmupStepIsTimedApartFromTheTimedSteps() {
    for (ThroughputBenchmark.Mode mode : ThroughputBenchmark.Mode.values()) {
      ThroughputBenchmark.Result r = run(mode, 2, 3);
      assertThat(r.warmupMillis()).as("%s", mode).hasSize(3).allSatisfy(ms -> assertThat(ms).isPositive());
      assertThat(r.steps()).isEqualTo(2);
      assertThat(r.imagesPerSecond()).isCloseTo(2 * 1000 / r.msPerStep(), within(1e-6 * r.imagesPerSecond()));
      // the first run of a graph optimises it, so it is the slowest of the warm-up steps
      assertThat(r.warmupMillis().get(0)).isGreaterThan(r.warmupMillis().get(2));
    }
    assertThat(run(ThroughputBenchmark.Mode.INFER, 1, 0).warmupMillis()).isEmpty();
  }

  @Test
  void trainingWarmsUpOneStepMoreThanInference() {
    assertThat(ThroughputBenchmark.Mode.INFER.defaultWarmup()).isEqualTo(1);
    assertThat(ThroughputBenchmark.Mode.TRAIN.defaultWarmup()).isEqualTo(2);
  }

  @Test
  void aSpecThatTimesNothingIsRefused() {
    assertThatThrownBy(() -> new ThroughputBenchmark.Spec(ThroughputBenchmark.Mode.INFER, 2, 0, 1,
        ThreadPlan.throughput(1), false, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps >= 1");
    assertThatThrownBy(() -> new ThroughputBenchmark.Spec(ThroughputBenchmark.Mode.INFER, 2, 1, -1,
        ThreadPlan.throughput(1), false, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmup >= 0");
  }
}
