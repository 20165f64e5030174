package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;
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
    // The traced run's graphs came back: nodes know what they waited for, and the longest chain is one.
    assertThat(p.nodes()).filteredOn(n -> !n.inputs().isEmpty()).hasSizeGreaterThan(p.nodes().size() / 2);
    StepProfile.CriticalPath chain = p.criticalPath();
    double longestNode = p.nodes().stream().mapToDouble(StepProfile.NodeTime::micros).max().orElseThrow();
    assertThat(chain.micros()).isBetween(longestNode, total * (1 + 1e-9));
    assertThat(chain.chain().totalMicros()).isCloseTo(chain.micros(), within(1e-6 * total));
    List<StepProfile.NodeTime> nodes = chain.chain().nodes();
    for (int i = 1; i < nodes.size(); i++) {
      assertThat(nodes.get(i).inputs()).contains(nodes.get(i - 1).node());
    }
  }

  @Test
  void theLongestChainFollowsDependenciesNotTheClock() {
    // a -> b -> d and a -> c -> d: the chain takes the longer branch; e runs beside them all and is shorter alone.
    StepProfile p = new StepProfile(List.of(
        new StepProfile.NodeTime("a", "Conv2D", "stem", 0, 10, List.of()),
        new StepProfile.NodeTime("b", "MatMul", "x", 10, 30, List.of("a")),
        new StepProfile.NodeTime("c", "MatMul", "y", 10, 5, List.of("a", "unknown")),
        new StepProfile.NodeTime("d", "Add", "head", 40, 2, List.of("b", "c")),
        new StepProfile.NodeTime("e", "Mul", "side", 0, 35, List.of())), 1);
    StepProfile.CriticalPath chain = p.criticalPath();
    assertThat(chain.micros()).isEqualTo(42);
    assertThat(chain.chain().nodes()).extracting(StepProfile.NodeTime::node).containsExactly("a", "b", "d");
    assertThat(chain.chain().byLayer()).first().isEqualTo(new StepProfile.Total("x", 30, 1));
    // 82 us of work on two threads cannot take less than 42; on one, less than 82
    assertThat(chain.floorMicros(2)).isEqualTo(42);
    assertThat(chain.floorMicros(1)).isEqualTo(82);
    assertThatThrownBy(() -> chain.floorMicros(0)).isInstanceOf(IllegalArgumentException.class);
    // a loop (x waits for y, y for x) is cut where it closes instead of hanging; an empty profile has no chain
    StepProfile loop = new StepProfile(List.of(
        new StepProfile.NodeTime("x", "Add", "l", 0, 3, List.of("y")),
        new StepProfile.NodeTime("y", "Add", "l", 3, 4, List.of("x")),
        new StepProfile.NodeTime("z", "Add", "l", 7, 1, List.of())), 1);
    assertThat(loop.criticalPath().micros()).isEqualTo(1);
    assertThat(new StepProfile(List.of(), 1).criticalPath().chain().nodes()).isEmpty();
  }

  @Test
  void inputsThatLeftNoStatsArePassedThrough() {
    // The runtime ran b without recording it: c waits for a through b; d for c, and for a through b's control edge.
    RunMetadata metadata = RunMetadata.newBuilder()
        .setStepStats(StepStats.newBuilder().addDevStats(DeviceStepStats.newBuilder()
            .addNodeStats(stats("a", 0, 5)).addNodeStats(stats("c", 9, 2)).addNodeStats(stats("d", 11, 1))))
        .addPartitionGraphs(GraphDef.newBuilder()
            .addNode(NodeDef.newBuilder().setName("a").setOp("MatMul"))
            .addNode(NodeDef.newBuilder().setName("b").setOp("Identity").addInput("a:0"))
            .addNode(NodeDef.newBuilder().setName("c").setOp("Add").addInput("b:1"))
            .addNode(NodeDef.newBuilder().setName("d").setOp("Add").addInput("c").addInput("^b").addInput("a")))
        .build();
    StepProfile p = StepProfile.of(metadata, LayerAttribution.of(GraphDef.getDefaultInstance()), 1);
    assertThat(p.nodes()).extracting(StepProfile.NodeTime::inputs)
        .containsExactly(List.of(), List.of("a"), List.of("c", "a"));
    assertThat(p.criticalPath().micros()).isEqualTo(8);
  }

  private static NodeExecStats stats(String name, long startMicros, long micros) {
    return NodeExecStats.newBuilder().setNodeName(name).setAllStartMicros(startMicros).setAllEndRelMicros(micros)
        .build();
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
  void trainingAsChainsAttributesEachChainsBackwardToTheLayers() {
    // The batches plan trains as two chains (Replicas.chains): each chain's gradient ops are in its own name
    // scope and their mean in another; they belong to the layers, not to those scopes.
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(ModelRegistry.get("deit-tiny"), TINY,
        new ThroughputBenchmark.Spec(ThroughputBenchmark.Mode.TRAIN, 2, 1, 0, ThreadPlan.batches(2), false, true));
    StepProfile p = r.profile().orElseThrow();
    totalsAddUp(p);
    assertThat(keys(p.byLayer())).contains("blocks.11.attn.qkv", "(train/adamw)")
        .noneMatch(l -> l.startsWith("(replica"));
    // Per chain the forward, input-gradient and weight-gradient products of the qkv projection, and the mean of
    // the chains' weight gradients, which the update reads (cls_token's and pos_embed's are outside every layer).
    assertThat(p.nodes()).filteredOn(n -> n.layer().equals("blocks.11.attn.qkv") && n.type().contains("MatMul"))
        .hasSizeGreaterThanOrEqualTo(6);
    assertThat(p.nodes()).filteredOn(n -> n.type().equals("AddN") && n.node().contains("replica_mean"))
        .isNotEmpty().noneMatch(n -> n.layer().startsWith("(") && !n.layer().equals(LayerAttribution.OUTSIDE))
        .filteredOn(n -> n.layer().equals("blocks.11.attn.qkv")).hasSize(2); // its kernel's and its bias's
    // GELU's gradient runs as one XLA cluster per MLP and chain (XlaCluster): the launch belongs to the MLP.
    assertThat(p.nodes()).filteredOn(n -> n.type().equals("_XlaRun")).hasSize(2 * 12)
        .allMatch(n -> n.layer().matches("blocks\\.\\d+\\.mlp"), "an MLP's");
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
    assertThat(out).contains("by op type", "by layer kind", "dependencies: the longest chain",
        "time on the longest chain");
    return out.substring(out.indexOf("by op type"), out.indexOf("by layer kind"));
  }
}
