package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.datasets.pipeline.LoaderThroughput;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.recipes.parallel.Replicas;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.RunModel;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.benchmark.ExportBenchmark;
import org.stmzoo.zoo.benchmark.PeakMemory;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.benchmark.ThroughputBenchmark;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code ./stmzoo benchmark --model NAME [--mode infer|train|serve] [--batch N] [--image-size S] [--steps K]
 * [--runs R] [--threads T] [--thread-plan throughput|latency|batches] [--xla] [--fused-layer-norm]
 * [--profile [--profile-top N]]
 * [--data SPEC [--aa POLICY] [--scale S] [--loader-threads N]]}. {@code --profile}
 * traces one more step and prints where its time went (op types, layers). {@code serve} compares an export with the
 * in-process graph ({@link ExportBenchmark}). The model runs on random data; with {@code --data}, train mode then
 * measures the input pipeline alone on that data (training transform, parallel loader), so that the two rates
 * can be compared: training is input-bound when the loader is not clearly faster. The loader runs after the
 * training step's peak memory is read, so that its images do not count in it. A flag the mode does not use is a
 * usage error, checked before anything runs.
 */
final class BenchmarkCommand implements Command {
  /** Batches the loader-only measurement pulls (after two untimed ones). */
  private static final int LOADER_BATCHES = 50;

  @Override
  public String name() {
    return "benchmark";
  }

  @Override
  public String summary() {
    return "images/s, ms/step and peak memory on random data (train: the full DeiT step; serve: export vs"
        + " in-process latency and images/s)";
  }

  @Override
  public Options options() {
    Options options = ModelArguments.add(new Options())
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("model name (required)").build())
        .addOption(Option.builder().longOpt("mode").hasArg().argName("infer|train|serve").desc("default infer").build())
        .addOption(Option.builder().longOpt("runs").hasArg().argName("R")
            .desc("serve: timed batch-1 calls for the latency (default 20)").build())
        .addOption(Option.builder().longOpt("batch").hasArg().argName("N").desc("batch size (default 8; serve: 32)").build())
        .addOption(Option.builder().longOpt("steps").hasArg().argName("K").desc("timed steps (default 5)").build())
        .addOption(Option.builder().longOpt("warmup").hasArg().argName("W").desc("untimed steps first, their times printed in infer and train (default 1; train: 2, as its"
            + " second step still faults in memory the first did not touch)").build())
        .addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("threads, spread as --thread-plan says (default: all)").build())
        .addOption(Option.builder().longOpt("thread-plan").hasArg().argName("throughput|latency|batches")
            .desc("all threads on each op (throughput, default), or one thread per op with the image cut into one"
                + " chain per thread (latency: for batch 1 on few cores) or the batch cut into one part per thread"
                + " (batches: for batches on few cores; in training the step as one chain per part, as train"
                + " --chains)").build())
        .addOption(Option.builder().longOpt("xla").desc("infer, train: enable XLA JIT compilation").build())
        .addOption(Option.builder().longOpt("fused-layer-norm")
            .desc("infer, serve: LayerNorm in the form TF fuses into oneDNN's one-pass CPU kernel (same function, no"
                + " gradient; serve: the export built with it too); infer: with it, attention's products in TF's own"
                + " kernel where that measures faster here than oneDNN's, and under the latency plan the weights"
                + " as constants in the graph").build())
        .addOption(Option.builder().longOpt("profile")
            .desc("infer, train: trace one more step and print the top op types and layers by time").build())
        .addOption(Option.builder().longOpt("profile-top").hasArg().argName("N")
            .desc("with --profile: rows per profile table (default 15)").build())
        .addOption(Option.builder().longOpt("data").hasArg().argName("SPEC")
            .desc("train: also measure the input pipeline alone on this data (as train --data), after the training"
                + " step").build())
        .addOption(Option.builder().longOpt("aa").hasArg().argName("POLICY")
            .desc("with --data: RandAugment policy or 'none' (default " + TrainSpec.DEFAULT_AUTO_AUGMENT + ")")
            .build())
        .addOption(Option.builder().longOpt("scale").hasArg().argName("S")
            .desc("with --data: RandomResizedCrop's minimum area (default " + TrainSpec.DEFAULT_MIN_SCALE + ")")
            .build())
        .addOption(Option.builder().longOpt("loader-threads").hasArg().argName("N")
            .desc("with --data: loader threads (default: cores)").build());
    return options;
  }

  /**
   * The loader-only measurement of train {@code --data}: its data, transform (RandAugment policy, null for none;
   * RandomResizedCrop's minimum area, as train takes them) and threads.
   */
  private record LoaderSettings(String data, String autoAugment, float minScale, int threads) {}

  @Override
  public int run(CommandLine line) throws IOException {
    if (!line.hasOption("model")) {
      throw new UsageException("--model is required");
    }
    ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
    ModelOptions options = ModelArguments.parse(line, entry);
    String modeName = line.getOptionValue("mode", "infer");
    boolean serve = modeName.equals("serve");
    // serve runs an export's inference: it warms up as inference does
    ThroughputBenchmark.Mode mode = switch (modeName) {
      case "infer", "serve" -> ThroughputBenchmark.Mode.INFER;
      case "train" -> ThroughputBenchmark.Mode.TRAIN;
      default -> throw new UsageException("--mode must be infer, train or serve, got '" + modeName + "'");
    };
    boolean train = mode == ThroughputBenchmark.Mode.TRAIN;
    // every flag checked before anything is built or measured: none is accepted and then ignored
    CliArgs.appliesOnlyTo(line, "--mode serve", serve, "runs");
    CliArgs.appliesOnlyTo(line, "--mode infer and train", !serve, "xla", "profile");
    CliArgs.appliesOnlyTo(line, "--mode train", train, "data");
    CliArgs.appliesOnlyTo(line, "--mode infer and serve (training computes LayerNorm's forward value with the fused"
        + " kernel wherever TF fuses it, as train does)", !train, "fused-layer-norm");
    CliArgs.appliesOnlyTo(line, "--data", line.hasOption("data"), "aa", "scale", "loader-threads");
    CliArgs.appliesOnlyTo(line, "--profile", line.hasOption("profile"), "profile-top");
    if (serve && options.inChannels() != 3) {
      throw new UsageException("--in-channels must be 3 with --mode serve (exports take RGB images), got "
          + options.inChannels());
    }
    int batch = CliArgs.positiveInt(line, "batch", serve ? 32 : 8);
    int steps = CliArgs.positiveInt(line, "steps", 5);
    int warmup = CliArgs.nonNegativeInt(line, "warmup", mode.defaultWarmup());
    int threads = line.hasOption("threads") ? CliArgs.positiveInt(line, "threads", 0) : 0;
    ThreadPlan plan = threadPlan(line.getOptionValue("thread-plan", "throughput"), threads);
    if (serve) {
      int code = serve(entry, options, new ExportBenchmark.Settings(CliArgs.positiveInt(line, "runs", 20), batch,
          steps, warmup, plan, line.hasOption("fused-layer-norm")));
      noteUnfusedLayerNorm(line);
      return code;
    }
    try {
      ThroughputBenchmark.checkInputFits(batch, options);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--batch " + batch + ": " + e.getMessage());
    }
    if (train) {
      try {
        Replicas.chains(plan.batchStreams()).checkBatchSize(batch); // the step runs as one chain per part of the batch
      } catch (IllegalArgumentException e) {
        throw new UsageException("--thread-plan " + plan.name() + ": " + e.getMessage() + " (the training step runs"
            + " as one chain per part)");
      }
    }
    int profileTop = CliArgs.positiveInt(line, "profile-top", 15);
    LoaderSettings loader = line.hasOption("data") ? new LoaderSettings(line.getOptionValue("data"),
        RecipeArguments.autoAugment(line), RecipeArguments.minScale(line),
        CliArgs.positiveInt(line, "loader-threads", Runtime.getRuntime().availableProcessors())) : null;
    if (loader != null) {
      DataSpec.checkFolders(loader.data()); // read after the benchmark: a wrong path fails now, not then
    }
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(entry, options, new ThroughputBenchmark.Spec(mode, batch,
        steps, warmup, plan, line.hasOption("xla"), line.hasOption("profile"), line.hasOption("fused-layer-norm")));
    System.out.println(summary(r, modeName));
    System.out.printf(Locale.ROOT, "thread plan: %s%n", r.plan().describe());
    if (!r.warmupMillis().isEmpty()) {
      System.out.printf(Locale.ROOT, "untimed warm-up steps: %s ms%n", r.warmupMillis().stream()
          .map(ms -> String.format(Locale.ROOT, "%.1f", ms)).collect(Collectors.joining(", ")));
    }
    noteUnfusedLayerNorm(line);
    r.profile().ifPresent(p -> ProfilePrinter.print(p, r.plan().concurrentOps(), profileTop, System.out));
    if (loader != null) {
      // after the training step's peak memory was read: the loader's images would count in it otherwise
      loaderOnly(loader, entry, options, batch);
    }
    return 0;
  }

  /** The result line: rate, step time and the peak memory ({@code n/a} where the platform does not report it). */
  static String summary(ThroughputBenchmark.Result r, String modeName) {
    return String.format(Locale.ROOT, "%s %s batch=%d image=%d steps=%d%s: %.2f images/s, %.1f ms/step,"
        + " peak memory %s", r.model(), modeName, r.batch(), r.imageSize(), r.steps(), r.xla() ? " xla" : "",
        r.imagesPerSecond(), r.msPerStep(), PeakMemory.describe(r.peakResidentMiB()));
  }

  private static ThreadPlan threadPlan(String name, int threads) {
    return switch (name) {
      case "throughput" -> ThreadPlan.throughput(threads);
      case "latency" -> ThreadPlan.latency(threads);
      case "batches" -> ThreadPlan.batches(threads);
      default -> throw new UsageException("--thread-plan must be throughput, latency or batches, got '" + name + "'");
    };
  }

  private static void loaderOnly(LoaderSettings settings, ModelEntry entry, ModelOptions options, int batch)
      throws IOException {
    ImageDataset data = DataSpec.trainingSet(settings.data());
    RunModel model = RunModel.of(entry, options.imageSize(), null, data.classNames());
    try (BatchLoader loader = new BatchLoader(data, model.trainTransform(settings.autoAugment(),
        settings.minScale()), batch, true, true, 0, settings.threads())) {
      LoaderThroughput.measure(loader, 0, 2); // JIT warm-up
      LoaderThroughput.Result r = LoaderThroughput.measure(loader, 1, LOADER_BATCHES);
      System.out.printf(Locale.ROOT, "loader only: %s, %dx%d, aa=%s, scale %.2f, %d threads: %.1f images/s (%d in %.2f s)%n",
          data.description(), options.imageSize(), options.imageSize(),
          settings.autoAugment() == null ? "none" : settings.autoAugment(), settings.minScale(),
          settings.threads(), r.imagesPerSecond(), r.images(), r.seconds());
    }
  }

  /** After a run that asked for the fused LayerNorm: whether TF fused it (the run has probed it). */
  private static void noteUnfusedLayerNorm(CommandLine line) {
    if (line.hasOption("fused-layer-norm") && !OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance())) {
      System.err.println("note: TF does not fuse LayerNorm in this process (its oneDNN graph passes are off:"
          + " TF_ENABLE_ONEDNN_OPTS, or a CPU without AVX-512 VNNI/BF16 or AMX), so the in-process graph kept the"
          + " element-wise LayerNorm");
    }
  }

  private static int serve(ModelEntry entry, ModelOptions options, ExportBenchmark.Settings settings)
      throws IOException {
    List<ExportBenchmark.Figures> figures = ExportBenchmark.run(entry, options, settings);
    System.out.printf(Locale.ROOT, "%s image=%d thread plan %s: batch 1 over %d runs, batch %d over %d steps%n",
        entry.name(), options.imageSize(), settings.plan().describe(), settings.latencyRuns(), settings.batch(),
        settings.batchSteps());
    System.out.printf(Locale.ROOT, "%-18s %12s %12s %14s%n", "path", "median ms", "p90 ms", "images/s");
    for (ExportBenchmark.Figures f : figures) {
      System.out.printf(Locale.ROOT, "%-18s %12.1f %12.1f %14.2f%n", f.path(), f.medianMs(), f.p90Ms(),
          f.imagesPerSecond());
    }
    return 0;
  }
}
