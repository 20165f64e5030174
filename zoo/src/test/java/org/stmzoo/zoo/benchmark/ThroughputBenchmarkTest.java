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

  /**
   * The random input is one float array of batch x size x size x channels values: a batch past an array's length
   * is refused before a graph is built, not an int product that overflows into a negative array size.
   */
  @Test
  void aBatchPastAJavaArraysLengthIsRefusedBeforeAnythingIsBuilt() {
    // 700000 x 32 x 32 x 3 = 2150400000 floats: past Integer.MAX_VALUE, negative in int arithmetic
    assertThatThrownBy(() -> ThroughputBenchmark.run(ModelRegistry.get("pit-ti"), TINY,
        new ThroughputBenchmark.Spec(ThroughputBenchmark.Mode.INFER, 700_000, 1, 0, ThreadPlan.throughput(1), false,
            false))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a batch of 700000 32x32x3 images is 2150400000 values, more than one Java array holds"
            + " (2147483639): lower the batch or the image size");
    ThroughputBenchmark.checkInputFits(699_050, TINY); // 2147481600 values: fits
  }
}
