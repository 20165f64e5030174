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
    for (List<StepProfile.Total> totals : List.of(p.byType(), p.byLayer(), p.byLayerKind(),
        p.byLayerKindAndType())) {
      assertThat(totals.stream().mapToDouble(StepProfile.Total::micros).sum()).isCloseTo(total, within(1e-6 * total));
      assertThat(totals.stream().mapToInt(StepProfile.Total::nodes).sum()).isEqualTo(p.nodes().size());
      assertThat(totals).isSortedAccordingTo((a, b) -> Double.compare(b.micros(), a.micros()));
    }
    assertThat(p.wallMillis()).isPositive();
    StepProfile.Parallelism parallel = p.parallelism(2);
    assertThat(parallel.spanMicros()).isPositive();
    assertThat(parallel.share(0) + parallel.share(1) + parallel.share(2)).isCloseTo(1, within(1e-9));
    assertThat(parallel.alone().totalMicros())
        .isCloseTo(parallel.micros()[1], within(1e-6 * parallel.spanMicros()));
  }

  @Test
  void parallelismSplitsTheSpanByNodesRunningAndNamesWhatRanAlone() {
    // x0 and y0 overlap for 5 us; the runtime runs nothing for 5 us; x1 and y1 touch without overlapping.
    StepProfile p = new StepProfile(List.of(
        new StepProfile.NodeTime("x0", "MatMul", "x", 100, 10),
        new StepProfile.NodeTime("y0", "MatMul", "y", 105, 10),
        new StepProfile.NodeTime("x1", "Add", "x", 120, 5),
        new StepProfile.NodeTime("y1", "Add", "y", 125, 5),
        new StepProfile.NodeTime("y2", "Add", "y", 126, 1),
        new StepProfile.NodeTime("z", "Const", "z", 112, 0)), 1);
    StepProfile.Parallelism parallel = p.parallelism(2);
    assertThat(parallel.spanMicros()).isEqualTo(30);
    assertThat(parallel.micros()).containsExactly(5, 19, 6);
    assertThat(parallel.alone().byLayer())
        .containsExactly(new StepProfile.Total("x", 10, 2), new StepProfile.Total("y", 9, 2));
    assertThat(parallel.alone().byType())
        .containsExactly(new StepProfile.Total("MatMul", 10, 2), new StepProfile.Total("Add", 9, 2));
    // With one bucket above none, every running stretch is in it.
    assertThat(p.parallelism(1).micros()).containsExactly(5, 25);
    assertThat(new StepProfile(List.of(), 1).parallelism(2).spanMicros()).isZero();
  }

  @Test
  void inferenceOfAConvNetNamesItsConvolutionsAndLayers() {
    StepProfile p = profile("u-convnext-micro", ThroughputBenchmark.Mode.INFER);
    totalsAddUp(p);
    assertThat(keys(p.byType())).anyMatch(t -> t.contains("Conv2D")).anyMatch(t -> t.contains("MatMul"));
    assertThat(keys(p.byLayer())).contains("stem.conv1", "head").anyMatch(l -> l.startsWith("stages.3.blocks.1.mixer"));
    assertThat(keys(p.byLayerKind())).anyMatch(l -> l.startsWith("stages.*.blocks.*.mixer"))
        .noneMatch(l -> l.matches(".*\\.\\d+(\\..*)?"));
    assertThat(keys(p.byLayerKindAndType()))
        .anyMatch(k -> k.matches("stages\\.\\*\\.blocks\\.\\*\\.mixer.*: .*Conv2d.*"));
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
  void xlaCompilesClustersOnTheCpu() throws Exception {
    // TF reads the CPU's XLA flag when a process optimizes its first session, so this runs the CLI in a new JVM
    // (same Java, same class path), as ./stmzoo does; the profile shows whether clusters were compiled and run.
    assertThat(profiledTypes("--xla")).contains("_XlaRun");
    assertThat(profiledTypes()).doesNotContain("_XlaRun");
  }

  private static String profiledTypes(String... extra) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), org.stmzoo.zoo.cli.Main.class.getName(),
        "benchmark", "--model", "deit-tiny", "--image-size", "32", "--num-classes", "10", "--batch", "1",
        "--steps", "1", "--threads", "1", "--profile", "--profile-top", "40"));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(out).isZero();
    assertThat(out).contains("by op type", "by layer kind", "parallelism: of the ", "time running alone");
    return out.substring(out.indexOf("by op type"), out.indexOf("by layer kind"));
  }
}
