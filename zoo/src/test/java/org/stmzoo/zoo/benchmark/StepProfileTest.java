package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/** The profile of a tiny model's inference and training steps names its ops and layers, and its totals add up. */
class StepProfileTest {
  private static final ModelOptions TINY = ModelOptions.imagenet().withImageSize(32).withNumClasses(10);

  private static StepProfile profile(String model, ThroughputBenchmark.Mode mode) {
    return profile(model, mode, false);
  }

  private static StepProfile profile(String model, ThroughputBenchmark.Mode mode, boolean xla) {
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(ModelRegistry.get(model), TINY,
        new ThroughputBenchmark.Spec(mode, 2, 1, 0, ThreadPlan.throughput(1), xla, true));
    assertThat(r.profile()).isPresent();
    return r.profile().orElseThrow();
  }

  private static List<String> keys(List<StepProfile.Total> totals) {
    return totals.stream().map(StepProfile.Total::key).toList();
  }

  private static void totalsAddUp(StepProfile p) {
    double total = p.totalMicros();
    assertThat(total).isPositive();
    for (List<StepProfile.Total> totals : List.of(p.byType(), p.byLayer(), p.byLayerKind())) {
      assertThat(totals.stream().mapToDouble(StepProfile.Total::micros).sum()).isCloseTo(total, within(1e-6 * total));
      assertThat(totals.stream().mapToInt(StepProfile.Total::nodes).sum()).isEqualTo(p.nodes().size());
      assertThat(totals).isSortedAccordingTo((a, b) -> Double.compare(b.micros(), a.micros()));
    }
    assertThat(p.wallMillis()).isPositive();
  }

  @Test
  void inferenceOfAConvNetNamesItsConvolutionsAndLayers() {
    StepProfile p = profile("u-convnext-micro", ThroughputBenchmark.Mode.INFER);
    totalsAddUp(p);
    assertThat(keys(p.byType())).anyMatch(t -> t.contains("Conv2D")).anyMatch(t -> t.contains("MatMul"));
    assertThat(keys(p.byLayer())).contains("stem.conv1", "head").anyMatch(l -> l.startsWith("stages.3.blocks.1.mixer"));
    assertThat(keys(p.byLayerKind())).anyMatch(l -> l.startsWith("stages.*.blocks.*.mixer"))
        .noneMatch(l -> l.matches(".*\\.\\d+(\\..*)?"));
  }

  @Test
  void trainingOfATransformerAttributesBackwardAndOptimizerTime() {
    StepProfile p = profile("deit-tiny", ThroughputBenchmark.Mode.TRAIN);
    totalsAddUp(p);
    assertThat(keys(p.byType())).anyMatch(t -> t.contains("MatMul"));
    assertThat(keys(p.byLayer())).contains("blocks.11.attn.qkv", "(train/adamw)");
    // The backward of the qkv projection is attributed to it: its input and weight gradients beside the forward.
    assertThat(p.nodes()).filteredOn(n -> n.layer().equals("blocks.11.attn.qkv") && n.type().contains("MatMul"))
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void xlaCompilesClustersOnTheCpu() {
    // The session's JIT level alone is ignored on CPU; the profile shows whether clusters were compiled and run.
    assertThat(keys(profile("deit-tiny", ThroughputBenchmark.Mode.INFER, true).byType())).contains("_XlaRun");
    assertThat(keys(profile("deit-tiny", ThroughputBenchmark.Mode.INFER, false).byType())).doesNotContain("_XlaRun");
  }
}
