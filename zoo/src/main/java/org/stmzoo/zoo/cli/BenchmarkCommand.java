package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.BenchmarkResult;
import org.stmzoo.zoo.api.BenchmarkSpec;
import org.stmzoo.zoo.api.Benchmarks;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * {@code ./stmzoo benchmark --model NAME [--mode infer|train|serve] [--batch N] [--image-size S] [--steps K]
 * [--runs R] [--threads T] [--thread-plan throughput|latency|batches] [--xla] [--fused-layer-norm]
 * [--profile [--profile-top N]]
 * [--data SPEC [--aa POLICY] [--scale S] [--loader-threads N]]}. {@code --profile}
 * traces one more step and prints where its time went (op types, layers). {@code serve} compares an export with the
 * in-process graph. The model runs on random data; with {@code --data}, train mode then measures the input
 * pipeline alone on that data (training transform, parallel loader), so that the two rates can be compared:
 * training is input-bound when the loader is not clearly faster. The flags become a {@link BenchmarkSpec}, which
 * {@link Benchmarks#run} runs as a Java program would; this class prints the result. A flag the mode does not use
 * is a usage error, checked before anything runs.
 */
final class BenchmarkCommand implements Command {
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

  @Override
  public int run(CommandLine line) throws IOException {
    BenchmarkSpec spec = spec(line);
    int profileTop = CliArgs.positiveInt(line, "profile-top", 15);
    // printed as soon as the step is measured, before the loader runs: a loader failure keeps them on screen
    BenchmarkResult result = Benchmarks.run(spec, measured -> {
      System.out.print(measured.formatFigures());
      measured.notes().forEach(note -> System.err.println("note: " + note));
      measured.steps().flatMap(BenchmarkResult.StepFigures::profile)
          .ifPresent(profile -> System.out.print(profile.format(profileTop)));
    });
    result.formatLoader().ifPresent(System.out::print);
    return 0;
  }

  /**
   * The flags as a spec, every one checked before anything is built or measured, in the order they always were:
   * none is accepted and then ignored, and a value the spec refuses is a usage error naming the flag.
   */
  private static BenchmarkSpec spec(CommandLine line) {
    if (!line.hasOption("model")) {
      throw new UsageException("--model is required");
    }
    ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
    ModelOptions options = ModelArguments.parse(line, entry);
    BenchmarkSpec.Mode mode = named(line, "mode", BenchmarkSpec.Mode.INFER, BenchmarkSpec.Mode.values(),
        BenchmarkSpec.Mode::cliName);
    boolean serve = mode == BenchmarkSpec.Mode.SERVE;
    boolean train = mode == BenchmarkSpec.Mode.TRAIN;
    // a flag given where it does not apply: the spec cannot tell a flag left out from its default, so these are
    // the CLI's checks, in the flags' words
    CliArgs.appliesOnlyTo(line, "--mode serve", serve, "runs");
    CliArgs.appliesOnlyTo(line, "--mode infer and train", !serve, "xla", "profile");
    CliArgs.appliesOnlyTo(line, "--mode train", train, "data");
    CliArgs.appliesOnlyTo(line, "--mode infer and serve (training computes LayerNorm's forward value with the fused"
        + " kernel wherever TF fuses it, as train does)", !train, "fused-layer-norm");
    CliArgs.appliesOnlyTo(line, "--data", line.hasOption("data"), "aa", "scale", "loader-threads");
    CliArgs.appliesOnlyTo(line, "--profile", line.hasOption("profile"), "profile-top");
    if (serve && options.inChannels() != 3) { // the spec refuses it too, in its field's words
      throw new UsageException("--in-channels must be 3 with --mode serve (exports take RGB images), got "
          + options.inChannels());
    }
    if (line.hasOption("data") && options.inChannels() != 3) { // as above
      throw new UsageException("--in-channels must be 3 with --data (the loader's training transform makes RGB"
          + " images), got " + options.inChannels());
    }
    BenchmarkSpec spec = BenchmarkSpec.of(mode, entry.name()).withImageSize(options.imageSize())
        .withNumClasses(options.numClasses()).withInChannels(options.inChannels());
    if (line.hasOption("batch")) {
      spec = spec.withBatch(CliArgs.positiveInt(line, "batch", 0));
    }
    spec = spec.withSteps(CliArgs.positiveInt(line, "steps", spec.steps()))
        .withWarmup(CliArgs.nonNegativeInt(line, "warmup", spec.warmup()));
    int threads = line.hasOption("threads") ? CliArgs.positiveInt(line, "threads", 0) : 0;
    spec = spec.withThreadPlan(named(line, "thread-plan", BenchmarkSpec.ThreadPlanKind.THROUGHPUT,
        BenchmarkSpec.ThreadPlanKind.values(), BenchmarkSpec.ThreadPlanKind::cliName), threads);
    if (serve) {
      return spec.withLatencyRuns(CliArgs.positiveInt(line, "runs", spec.latencyRuns()))
          .withFusedLayerNorm(line.hasOption("fused-layer-norm"));
    }
    try {
      spec.checkInputFits();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--batch " + spec.batch() + ": " + e.getMessage());
    }
    try {
      spec.checkBatchSplits();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--thread-plan " + spec.threadPlan().cliName() + ": " + e.getMessage());
    }
    CliArgs.positiveInt(line, "profile-top", 15); // refused before the loader's flags, as always; run reads it
    spec = spec.withXla(line.hasOption("xla")).withProfile(line.hasOption("profile"))
        .withFusedLayerNorm(line.hasOption("fused-layer-norm"));
    if (line.hasOption("data")) {
      spec = spec.withLoader(BenchmarkSpec.LoaderOnly.of(line.getOptionValue("data"))
          .withAugmentation(RecipeArguments.autoAugment(line), RecipeArguments.minScale(line))
          .withThreads(CliArgs.positiveInt(line, "loader-threads", Runtime.getRuntime().availableProcessors())));
    }
    return spec;
  }

  /**
   * The constant of {@code values} whose CLI name is {@code --flag}'s value ({@code fallback} without the flag),
   * e.g. {@code --mode must be infer, train or serve, got 'x'} for another value.
   */
  private static <E extends Enum<E>> E named(CommandLine line, String flag, E fallback, E[] values,
      Function<E, String> cliName) {
    String value = line.getOptionValue(flag, cliName.apply(fallback));
    return Arrays.stream(values).filter(e -> cliName.apply(e).equals(value)).findFirst().orElseThrow(() -> {
      List<String> names = Arrays.stream(values).map(cliName).toList();
      return new UsageException("--" + flag + " must be " + String.join(", ", names.subList(0, names.size() - 1))
          + " or " + names.get(names.size() - 1) + ", got '" + value + "'");
    });
  }
}
