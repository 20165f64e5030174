package org.stmzoo.zoo.cli;

import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.benchmark.ThroughputBenchmark;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/** {@code ./stmzoo benchmark --model NAME [--mode infer|train] [--batch N] [--image-size S] [--steps K] [--xla]}. */
final class BenchmarkCommand implements Command {
  @Override
  public String name() {
    return "benchmark";
  }

  @Override
  public String summary() {
    return "images/s, ms/step and peak memory on random data (train: the full DeiT step)";
  }

  @Override
  public Options options() {
    Options options = ModelArguments.add(new Options())
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("model name (required)").build())
        .addOption(Option.builder().longOpt("mode").hasArg().argName("infer|train").desc("default infer").build())
        .addOption(Option.builder().longOpt("batch").hasArg().argName("N").desc("batch size (default 8)").build())
        .addOption(Option.builder().longOpt("steps").hasArg().argName("K").desc("timed steps (default 5)").build())
        .addOption(Option.builder().longOpt("warmup").hasArg().argName("W").desc("untimed steps first (default 1)").build())
        .addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("TF intra-op threads (default: all)").build())
        .addOption(Option.builder().longOpt("xla").desc("enable XLA JIT compilation").build());
    return options;
  }

  @Override
  public int run(CommandLine line) {
    if (!line.hasOption("model")) {
      throw new UsageException("--model is required");
    }
    ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
    ModelOptions options = ModelArguments.parse(line, entry);
    String modeName = line.getOptionValue("mode", "infer");
    ThroughputBenchmark.Mode mode = switch (modeName) {
      case "infer" -> ThroughputBenchmark.Mode.INFER;
      case "train" -> ThroughputBenchmark.Mode.TRAIN;
      default -> throw new UsageException("--mode must be infer or train, got '" + modeName + "'");
    };
    int batch = ModelArguments.intOption(line, "batch", 8);
    int steps = ModelArguments.intOption(line, "steps", 5);
    int warmup = line.hasOption("warmup") ? Integer.parseInt(line.getOptionValue("warmup")) : 1;
    int threads = line.hasOption("threads") ? ModelArguments.intOption(line, "threads", 0) : 0;
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(entry, options, mode, batch, steps, warmup, threads,
        line.hasOption("xla"));
    System.out.printf(Locale.ROOT,
        "%s %s batch=%d image=%d steps=%d%s: %.2f images/s, %.1f ms/step, peak memory %d MiB%n",
        r.model(), modeName, r.batch(), r.imageSize(), r.steps(), r.xla() ? " xla" : "", r.imagesPerSecond(),
        r.msPerStep(), r.peakResidentMiB());
    return 0;
  }
}
