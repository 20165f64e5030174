package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.zoo.api.BenchmarkSpec.LoaderOnly;
import org.stmzoo.zoo.api.BenchmarkSpec.ThreadPlanKind;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.cli.Main;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code Benchmarks.run} as a Java program calls it: the figures come back as data, printed as the CLI prints them,
 * and a spec the CLI would refuse is refused when it is built, or by {@code run} before anything is built.
 */
class BenchmarksTest {
  /** A tiny model: pit-ti at 32 px, 10 classes. */
  private static BenchmarkSpec tiny(BenchmarkSpec spec) {
    return spec.withImageSize(32).withNumClasses(10).withBatch(2).withSteps(2);
  }

  @TempDir
  Path tmp;

  @Test
  void anInferenceBenchmarkGivesItsFiguresProfileAndNoteAsData() throws IOException {
    BenchmarkSpec spec = tiny(BenchmarkSpec.infer("pit-ti")).withWarmup(2)
        .withThreadPlan(ThreadPlanKind.LATENCY, 2).withFusedLayerNorm(true).withProfile(true);
    BenchmarkResult result = Benchmarks.run(spec);

    assertThat(result.threadPlanDescription()).isEqualTo("latency (intra-op 1, inter-op 2)");
    assertThat(result.serve()).isEmpty();
    assertThat(result.loader()).isEmpty();
    BenchmarkResult.StepFigures steps = result.steps().orElseThrow();
    assertThat(steps.imagesPerSecond()).isPositive()
        .isCloseTo(2 * 1000 / steps.msPerStep(), within(1e-6 * steps.imagesPerSecond()));
    assertThat(steps.warmupMillis()).hasSize(2).allSatisfy(ms -> assertThat(ms).isPositive());
    assertThat(result.notes().stream().anyMatch(n -> n.startsWith("TF does not fuse LayerNorm")))
        .isEqualTo(!OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance()));

    BenchmarkProfile profile = steps.profile().orElseThrow();
    assertThat(profile.stepTables()).extracting(BenchmarkProfile.Table::title).containsExactly("op type",
        "layer kind (indices as *)", "layer", "layer kind and op type");
    assertThat(profile.chainTables()).hasSize(2);
    assertThat(profile.concurrentOps()).isEqualTo(2);
    assertThat(profile.chainMillis()).isPositive().isLessThanOrEqualTo(profile.summedMillis());
    List<BenchmarkProfile.Row> byType = profile.stepTables().get(0).rows();
    // every node has one op type: the op-type table shares out the whole step
    assertThat(byType.stream().mapToDouble(BenchmarkProfile.Row::percent).sum()).isCloseTo(100, within(1e-6));
    assertThat(byType.stream().mapToInt(BenchmarkProfile.Row::nodes).sum()).isEqualTo(profile.nodes());
    assertThat(byType.stream().mapToDouble(BenchmarkProfile.Row::millis).sum())
        .isCloseTo(profile.summedMillis(), within(1e-6 * profile.summedMillis()));

    String text = result.format(3);
    assertThat(text).startsWith("pit-ti infer batch=2 image=32 steps=2: ")
        .contains(String.format(java.util.Locale.ROOT, "%.2f images/s, %.1f ms/step, peak memory ",
            steps.imagesPerSecond(), steps.msPerStep()))
        .contains("thread plan: latency (intra-op 1, inter-op 2)")
        .containsPattern("untimed warm-up steps: [0-9.]+, [0-9.]+ ms")
        .contains("top 3 by op type", "top 3 by layer kind, time on the longest chain")
        .contains(profile.format(3));
    assertThat(result.summary()).isEqualTo(text.lines().findFirst().orElseThrow());
  }

  /**
   * The CLI prints what {@code format} writes: the same lines, only the measured numbers differ (a profile's rows
   * are left out: their order is the measured times').
   */
  @Test
  void theCliPrintsTheResultAsFormatWritesIt() throws IOException {
    BenchmarkResult result = Benchmarks.run(tiny(BenchmarkSpec.infer("pit-ti")).withWarmup(2)
        .withThreadPlan(ThreadPlanKind.BATCHES, 2));
    String cli = cli("benchmark", "--model", "pit-ti", "--image-size", "32", "--num-classes", "10", "--batch", "2",
        "--steps", "2", "--warmup", "2", "--threads", "2", "--thread-plan", "batches");
    assertThat(numbersMasked(cli)).isEqualTo(numbersMasked(result.format(15)))
        .isEqualTo("pit-ti infer batch=2 image=32 steps=2: # images/s, # ms/step, peak memory #"
            + System.lineSeparator() + "thread plan: batches (intra-op 1, inter-op 2)" + System.lineSeparator()
            + "untimed warm-up steps: #, # ms" + System.lineSeparator());
  }

  @Test
  void aTrainBenchmarkWithALoaderMeasuresTheLoaderAlone() throws IOException {
    BenchmarkSpec spec = tiny(BenchmarkSpec.train("pit-ti")).withBatch(4).withSteps(1).withWarmup(0)
        .withLoader(LoaderOnly.of(org.stmzoo.datasets.FashionMnist.DEMO_SPEC).withAugmentation(null, 0.5f)
            .withThreads(1));
    BenchmarkResult result = Benchmarks.run(spec);

    assertThat(result.steps().orElseThrow().warmupMillis()).isEmpty();
    BenchmarkResult.LoaderFigures loader = result.loader().orElseThrow();
    assertThat(loader.dataset()).contains("Fashion-MNIST");
    // whole batches (the last one dropped, as training drops it), 50 at most
    assertThat(loader.images()).isPositive().isLessThanOrEqualTo(50 * 4).isEqualTo(loader.images() / 4 * 4);
    assertThat(loader.imagesPerSecond()).isCloseTo(loader.images() / loader.seconds(), within(1e-9));
    assertThat(result.format(15)).startsWith("pit-ti train batch=4 image=32 steps=1: ")
        .containsPattern("loader only: .*Fashion-MNIST.*, 32x32, aa=none, scale 0.50, 1 threads: [0-9.]+ images/s \\("
            + loader.images() + " in ");
  }

  @Test
  void aServeBenchmarkComparesEachServingPath() throws IOException {
    BenchmarkSpec spec = tiny(BenchmarkSpec.serve("pit-ti")).withSteps(1).withWarmup(0).withLatencyRuns(3);
    BenchmarkResult result = Benchmarks.run(spec);

    assertThat(result.steps()).isEmpty();
    assertThat(result.serve()).extracting(BenchmarkResult.ServeFigures::path)
        .containsExactly("in-process", "serving_default", "image_bytes png", "image_bytes jpeg");
    assertThat(result.serve()).allSatisfy(f -> {
      assertThat(f.medianMs()).isPositive().isLessThanOrEqualTo(f.p90Ms());
      assertThat(f.imagesPerSecond()).isPositive();
    });
    List<String> lines = result.format(15).lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).isEqualTo("pit-ti image=32 thread plan throughput (intra-op all, inter-op all): batch 1"
        + " over 3 runs, batch 2 over 1 steps");
    assertThat(lines.get(3)).startsWith("serving_default ");
    assertThatThrownBy(result::summary).isInstanceOf(IllegalStateException.class);
  }

  /** Where the platform reports no peak memory (no /proc), the line says n/a, not "-1 MiB". */
  @Test
  void theResultLineSaysNaWhereThePeakMemoryIsUnknown() {
    BenchmarkSpec spec = BenchmarkSpec.infer("u-convnext-micro");
    assertThat(resultWithPeak(spec, OptionalLong.empty()).summary())
        .isEqualTo("u-convnext-micro infer batch=8 image=224 steps=5: 100.00 images/s, 80.0 ms/step, peak memory n/a");
    assertThat(resultWithPeak(spec.withXla(true), OptionalLong.of(1234)).summary())
        .isEqualTo("u-convnext-micro infer batch=8 image=224 steps=5 xla: 100.00 images/s, 80.0 ms/step, peak memory"
            + " 1234 MiB");
  }

  private static BenchmarkResult resultWithPeak(BenchmarkSpec spec, OptionalLong peakMiB) {
    return new BenchmarkResult(spec, "throughput", Optional.of(new BenchmarkResult.StepFigures(100, 80, peakMiB,
        spec.xla(), List.of(), Optional.empty())), List.of(), Optional.empty(), List.of());
  }

  @Test
  void specsRefuseWhatTheCliRefusesWhenTheyAreBuilt() {
    BenchmarkSpec infer = BenchmarkSpec.infer("pit-ti");
    assertThat(infer.batch()).isEqualTo(8);
    assertThat(infer.warmup()).isEqualTo(1);
    assertThat(BenchmarkSpec.train("pit-ti").warmup()).isEqualTo(2);
    assertThat(BenchmarkSpec.serve("pit-ti").batch()).isEqualTo(32);
    assertThat(BenchmarkSpec.serve("pit-ti").latencyRuns()).isEqualTo(20);
    refused(() -> BenchmarkSpec.serve("pit-ti").withXla(true), "BenchmarkSpec.xla applies only to infer and train");
    refused(() -> BenchmarkSpec.serve("pit-ti").withProfile(true),
        "BenchmarkSpec.profile applies only to infer and train");
    refused(() -> BenchmarkSpec.serve("pit-ti").withInChannels(1),
        "BenchmarkSpec.inChannels must be 3 in serve mode (exports take RGB images), got 1");
    refused(() -> BenchmarkSpec.train("pit-ti").withFusedLayerNorm(true), "BenchmarkSpec.fusedLayerNorm applies"
        + " only to infer and serve (training computes LayerNorm's forward value with the fused kernel wherever TF"
        + " fuses it, as train does)");
    refused(() -> infer.withLoader(LoaderOnly.of("images")), "BenchmarkSpec.loader applies only to train");
    refused(() -> infer.withLatencyRuns(3), "BenchmarkSpec.latencyRuns applies only to serve, got 3");
    refused(() -> BenchmarkSpec.serve("pit-ti").withLatencyRuns(0), "BenchmarkSpec.latencyRuns must be >= 1, got 0");
    refused(() -> infer.withBatch(0), "BenchmarkSpec.batch must be >= 1, got 0");
    refused(() -> infer.withSteps(0), "BenchmarkSpec.steps must be >= 1, got 0");
    refused(() -> infer.withWarmup(-1), "BenchmarkSpec.warmup must be >= 0, got -1");
    refused(() -> infer.withThreadPlan(ThreadPlanKind.LATENCY, -1), "BenchmarkSpec.threads must be >= 0, got -1");
    assertThatThrownBy(() -> BenchmarkSpec.infer("u-convnext-micro").withImageSize(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("BenchmarkSpec.imageSize:"
            + " u-convnext-micro cannot take image size 100");
    assertThatThrownBy(() -> BenchmarkSpec.infer("no-such-model")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such-model");
    assertThatThrownBy(() -> infer.withThreadPlan(null, 2)).isInstanceOf(NullPointerException.class)
        .hasMessage("BenchmarkSpec.threadPlan");
    refused(() -> LoaderOnly.of("images").withAugmentation(null, 0f), "LoaderOnly.minScale must be in (0, 1], got"
        + " 0.0");
    refused(() -> LoaderOnly.of("images").withThreads(0), "LoaderOnly.threads must be >= 1, got 0");
    assertThatThrownBy(() -> LoaderOnly.of("images").withAugmentation("foo", 0.5f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("LoaderOnly.autoAugment: unsupported auto-augment 'foo'");
  }

  /** The loader measures RGB images: a benchmark of another channel count is refused, whichever is set last. */
  @Test
  void aLoaderNeedsThreeChannelsAndTakesNoneAsNoPolicy() {
    BenchmarkSpec train = BenchmarkSpec.train("pit-ti");
    String message = "BenchmarkSpec.loader measures the training transform of RGB images, so it needs inChannels 3,"
        + " got 1";
    refused(() -> train.withInChannels(1).withLoader(LoaderOnly.of("images")), message);
    refused(() -> train.withLoader(LoaderOnly.of("images")).withInChannels(1), message);
    assertThat(train.withInChannels(1).inChannels()).isEqualTo(1);
    // --aa none's value is no policy, as null is
    assertThat(LoaderOnly.of("images").withAugmentation("none", 0.5f))
        .isEqualTo(LoaderOnly.of("images").withAugmentation(null, 0.5f));
    assertThat(LoaderOnly.of("images").withAugmentation("none", 0.5f).autoAugment()).isNull();
  }

  /** The enums keep Java's names (valueOf(toString()) holds), the CLI's are {@code cliName}. */
  @Test
  void theEnumsNameThemselvesAsJavaDoesAndGiveTheirFlagValues() {
    for (BenchmarkSpec.Mode mode : BenchmarkSpec.Mode.values()) {
      assertThat(BenchmarkSpec.Mode.valueOf(mode.toString())).isSameAs(mode);
    }
    for (ThreadPlanKind kind : ThreadPlanKind.values()) {
      assertThat(ThreadPlanKind.valueOf(kind.toString())).isSameAs(kind);
    }
    assertThat(BenchmarkSpec.Mode.values()).extracting(BenchmarkSpec.Mode::cliName)
        .containsExactly("infer", "train", "serve");
    assertThat(ThreadPlanKind.values()).extracting(ThreadPlanKind::cliName)
        .containsExactly("throughput", "latency", "batches");
  }

  @Test
  void resultsRefuseNullsAndStepsWhereTheModeHasNoneNamingTheField() {
    BenchmarkSpec infer = BenchmarkSpec.infer("u-convnext-micro");
    assertThatThrownBy(() -> new BenchmarkResult.StepFigures(1, 1, null, false, List.of(), Optional.empty()))
        .isInstanceOf(NullPointerException.class).hasMessage("StepFigures.peakResidentMiB");
    assertThatThrownBy(() -> new BenchmarkResult.StepFigures(1, 1, OptionalLong.empty(), false, null,
        Optional.empty())).isInstanceOf(NullPointerException.class).hasMessage("StepFigures.warmupMillis");
    assertThatThrownBy(() -> new BenchmarkResult.StepFigures(1, 1, OptionalLong.empty(), false, List.of(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("StepFigures.profile");
    assertThatThrownBy(() -> new BenchmarkResult.ServeFigures(null, 1, 1, 1))
        .isInstanceOf(NullPointerException.class).hasMessage("ServeFigures.path");
    assertThatThrownBy(() -> new BenchmarkResult.LoaderFigures(null, 1, 1))
        .isInstanceOf(NullPointerException.class).hasMessage("LoaderFigures.dataset");
    assertThatThrownBy(() -> new BenchmarkProfile(1, 1, null, 1, 1, 1, 1, List.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("BenchmarkProfile.stepTables");
    assertThatThrownBy(() -> new BenchmarkProfile(1, 1, List.of(), 1, 1, 1, 1, null))
        .isInstanceOf(NullPointerException.class).hasMessage("BenchmarkProfile.chainTables");
    assertThatThrownBy(() -> new BenchmarkProfile.Table(null, List.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("Table.title");
    assertThatThrownBy(() -> new BenchmarkProfile.Table("op type", null))
        .isInstanceOf(NullPointerException.class).hasMessage("Table.rows");
    assertThatThrownBy(() -> new BenchmarkProfile.Row(null, 1, 1, 1))
        .isInstanceOf(NullPointerException.class).hasMessage("Row.key");
    assertThatThrownBy(() -> new BenchmarkResult(infer, "throughput", Optional.empty(), List.of(),
        Optional.empty(), null)).isInstanceOf(NullPointerException.class).hasMessage("BenchmarkResult.notes");
    refused(() -> new BenchmarkResult(infer, "throughput", Optional.empty(), List.of(), Optional.empty(),
        List.of()), "BenchmarkResult.steps are required for infer");
    refused(() -> new BenchmarkResult(BenchmarkSpec.serve("u-convnext-micro"), "throughput",
        resultWithPeak(infer, OptionalLong.empty()).steps(), List.of(), Optional.empty(), List.of()),
        "BenchmarkResult.steps are the figures of infer and train, not serve");
    // with or without a profile to show
    refused(() -> resultWithPeak(infer, OptionalLong.empty()).format(0), "profileTop must be >= 1, got 0");
  }

  /**
   * The step's figures are heard before the loader runs: a loader that fails on its data (a folder without
   * images, which exists, so {@code run} cannot refuse it first) loses none of them.
   */
  @Test
  void aLoaderFailureKeepsTheStepFiguresHeardBeforeIt() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    BenchmarkSpec spec = tiny(BenchmarkSpec.train("pit-ti")).withSteps(1).withWarmup(0)
        .withLoader(LoaderOnly.of(empty.toString()).withThreads(1));
    List<BenchmarkResult> heard = new ArrayList<>();
    assertThatThrownBy(() -> Benchmarks.run(spec, heard::add)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Image folder " + empty + " has no class sub-folders and no images");
    assertThat(heard).hasSize(1);
    BenchmarkResult steps = heard.get(0);
    assertThat(steps.loader()).isEmpty();
    assertThat(steps.summary()).startsWith("pit-ti train batch=2 image=32 steps=1: ");
    assertThat(steps.steps().orElseThrow().imagesPerSecond()).isPositive();
  }

  /**
   * TF sizes its pools and reads its CPU XLA flag at the process's first session: a later benchmark asking for
   * other pool sizes, or for XLA where the first had none, says that they were not in effect, and its result line
   * carries no xla marker then.
   */
  @Test
  void aLaterBenchmarkSaysWhatTheProcesssFirstSessionFixed() throws IOException {
    BenchmarkResult one = Benchmarks.run(tiny(BenchmarkSpec.infer("pit-ti")).withSteps(1).withWarmup(0)
        .withThreadPlan(ThreadPlanKind.THROUGHPUT, 1));
    BenchmarkResult two = Benchmarks.run(tiny(BenchmarkSpec.infer("pit-ti")).withSteps(1).withWarmup(0)
        .withThreadPlan(ThreadPlanKind.LATENCY, 2).withXla(true));
    ThreadPlan first = FirstBenchmarkSession.firstPlan();
    String poolNote = "TF sized its thread pools at this process's first benchmark session, under "
        + first.describe() + ", and keeps them";
    // intra-op 1, inter-op 1, then intra-op 1, inter-op 2: one of them at least is not the first session's
    assertThat(List.of(one, two)).anySatisfy(r -> assertThat(r.notes()).anyMatch(n -> n.startsWith(poolNote)));
    for (BenchmarkResult r : List.of(one, two)) {
      org.stmzoo.zoo.benchmark.ThreadPlan plan = r.spec().plan();
      boolean samePools = plan.intraOp() == first.intraOp() && plan.interOp() == first.interOp();
      assertThat(r.notes().stream().anyMatch(n -> n.startsWith(poolNote))).as(r.threadPlanDescription())
          .isEqualTo(!samePools);
    }
    boolean xla = FirstBenchmarkSession.firstXla();
    assertThat(two.notes().contains("XLA was asked for, but this process's first benchmark session ran without it,"
        + " and TF reads its CPU XLA flag only then: these figures are without XLA")).isEqualTo(!xla);
    assertThat(two.steps().orElseThrow().xla()).isEqualTo(xla);
    assertThat(two.summary().contains("steps=1 xla:")).isEqualTo(xla);
  }

  /**
   * What depends on several settings is checked by {@code run} before anything is built (so that the order of the
   * {@code with} calls does not matter), with the reason the CLI gives after the flag.
   */
  @Test
  void runRefusesABatchThatDoesNotFitOrSplitBeforeAnythingRuns() {
    BenchmarkSpec odd = BenchmarkSpec.train("pit-ti").withThreadPlan(ThreadPlanKind.BATCHES, 2).withBatch(7);
    assertThatThrownBy(() -> Benchmarks.run(odd)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the batch size 7 does not split evenly over 2 replicas (the training step runs as one chain"
            + " per part)");
    BenchmarkSpec huge = BenchmarkSpec.infer("pit-ti").withImageSize(32).withBatch(700_000);
    assertThatThrownBy(() -> Benchmarks.run(huge)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a batch of 700000 32x32x3 images is 2150400000 values, more than one Java array holds"
            + " (2147483639): lower the batch or the image size");
    // the step would be measured, and heard, before the loader reads the data: nothing is heard
    Path missing = tmp.resolve("nope");
    BenchmarkSpec noData = tiny(BenchmarkSpec.train("pit-ti")).withLoader(LoaderOnly.of(missing.toString()));
    List<BenchmarkResult> heard = new ArrayList<>();
    assertThatThrownBy(() -> Benchmarks.run(noData, heard::add)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("data folder " + missing + " does not exist");
    assertThat(heard).as("refused before the training step was measured").isEmpty();
  }

  private static void refused(Runnable build, String message) {
    assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static String cli(String... args) {
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(Main.run(args)).isZero();
    } finally {
      System.setOut(oldOut);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The text with every measured number (one with a decimal point, the peak memory: {@code n/a} where the platform
   * does not report it) as {@code #}.
   */
  private static String numbersMasked(String text) {
    return text.replaceAll("[0-9]+\\.[0-9]+", "#").replaceAll("peak memory ([0-9]+ MiB|n/a)", "peak memory #");
  }

  /** TF takes a thread count of 0 as one thread per core: such a plan and one naming the core count share pools. */
  @Test
  void plansCompareByThePoolSizesTfMakesOfThem() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(FirstBenchmarkSession.samePools(new ThreadPlan("defaults", 0, 0, 1),
        new ThreadPlan("explicit", cores, cores, 1))).isTrue();
    assertThat(FirstBenchmarkSession.samePools(new ThreadPlan("defaults", 0, 0, 1),
        new ThreadPlan("more", cores + 1, cores, 1))).isFalse();
    assertThat(FirstBenchmarkSession.samePools(ThreadPlan.latency(2), ThreadPlan.batches(2))).isTrue();
  }

}
