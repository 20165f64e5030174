package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.SavedModelExporter.ExportResult;
import org.stmzoo.export.WeightSource;
import org.stmzoo.zoo.registry.ExportRequests;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * {@code ./stmzoo export (--model NAME [--pretrained TAG] | --checkpoint DIR | --all) --output DIR
 * [--version N]}: TF Serving SavedModels ({@code DIR/<version>/}, or {@code DIR/<model>/<version>/} for
 * {@code --all}) with the model card beside them.
 */
final class ExportCommand implements Command {
  /** Largest reload difference accepted by {@code --all}: the same graph and weights, run again. */
  static final double RELOAD_TOLERANCE = 1e-5;

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "export a model as a TF Serving SavedModel (float and image-bytes signatures)";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("a registered model").build())
        .addOption(Option.builder().longOpt("pretrained").hasArg().argName("TAG")
            .desc("released weights for --model (default: random initialisation)").build())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("a training run's checkpoint directory (model and weights)").build())
        .addOption(Option.builder().longOpt("all").desc("every registered model, random weights, each reloaded to check it").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR")
            .desc("TF Serving base directory").build())
        .addOption(Option.builder().longOpt("version").hasArg().argName("N").desc("model version (default 1)").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S")
            .desc("input size (default: the model's)").build())
        .addOption(Option.builder().longOpt("labels").hasArg().argName("FILE")
            .desc("class names, one per line (default: class_0 ... class_N-1)").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N")
            .desc("classes (default: the labels' count, else 1000)").build())
        .addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("seed of the random initialisation (default 0)").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    int modes = (line.hasOption("model") ? 1 : 0) + (line.hasOption("checkpoint") ? 1 : 0) + (line.hasOption("all") ? 1 : 0);
    if (modes != 1) {
      throw new UsageException("give exactly one of --model NAME, --checkpoint DIR or --all");
    }
    if (line.hasOption("pretrained") && !line.hasOption("model")) {
      throw new UsageException("--pretrained goes with --model");
    }
    if (!line.getArgList().isEmpty()) {
      throw new UsageException("unexpected arguments " + line.getArgList());
    }
    if (!line.hasOption("output")) {
      // checked here rather than as a required option, so that --help works without it
      throw new UsageException("give --output DIR");
    }
    Path output = Path.of(line.getOptionValue("output"));
    long version = ModelArguments.intOption(line, "version", 1);
    List<String> classNames = classNames(line);
    long seed = seed(line);
    if (line.hasOption("all")) {
      return exportAll(line, output, version, classNames, seed);
    }
    if (line.hasOption("checkpoint")) {
      // Hook for training checkpoints (recipes work): read the run's model name, options and training summary
      // from DIR, then export with WeightSource.checkpoint(prefix) and ExportRequest.withTrainingSummary(...).
      throw new UsageException("--checkpoint is not available yet in this build (it comes with training runs)");
    }
    ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
    ExportRequest request = ExportRequests.of(entry, imageSize(line, entry), classNames, weights(line), seed);
    ExportResult result = SavedModelExporter.export(request, output, version);
    System.out.printf(Locale.ROOT, "exported %s (%,d parameters, %s) to %s%n", entry.name(),
        result.card().parameters(), result.card().weights(), result.directory());
    return 0;
  }

  private int exportAll(CommandLine line, Path output, long version, List<String> classNames, long seed) {
    System.out.printf("%-28s %12s %12s  %s%n", "MODEL", "PARAMS", "RELOAD DIFF", "DIRECTORY");
    int failures = 0;
    for (ModelEntry entry : ModelRegistry.all()) {
      try {
        ExportRequest request = ExportRequests.of(entry, imageSize(line, entry), classNames,
            WeightSource.randomInit(), seed);
        ExportResult result = SavedModelExporter.export(request, output.resolve(entry.name()), version);
        double diff = result.verifyReload();
        boolean ok = diff <= RELOAD_TOLERANCE;
        failures += ok ? 0 : 1;
        System.out.printf(Locale.ROOT, "%-28s %,12d %12.2e  %s%s%n", entry.name(), result.card().parameters(), diff,
            result.directory(), ok ? "" : "  FAILED: the reloaded model differs");
      } catch (IllegalArgumentException | IOException e) {
        failures++;
        System.out.printf("%-28s FAILED: %s%n", entry.name(), e.getMessage());
      }
      System.out.flush();
    }
    if (failures > 0) {
      System.err.printf("error: %d export(s) failed%n", failures);
      return 1;
    }
    return 0;
  }

  /** The weights for {@code --model}: random unless --pretrained names a release. */
  private static WeightSource weights(CommandLine line) {
    if (line.hasOption("pretrained")) {
      // Hook for released weights (weights work): resolve TAG to a file and return a WeightSource that imports it.
      throw new UsageException("--pretrained is not available yet in this build (it comes with the weight importer)");
    }
    return WeightSource.randomInit();
  }

  private static int imageSize(CommandLine line, ModelEntry entry) {
    return ModelArguments.intOption(line, "image-size", entry.defaultImageSize());
  }

  private static long seed(CommandLine line) {
    String value = line.getOptionValue("seed", "0");
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--seed must be an integer, got '" + value + "'");
    }
  }

  static List<String> classNames(CommandLine line) throws IOException {
    if (!line.hasOption("labels")) {
      return ExportRequest.numberedClasses(ModelArguments.intOption(line, "num-classes", 1000));
    }
    Path file = Path.of(line.getOptionValue("labels"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no labels file " + file);
    }
    List<String> names = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (names.isEmpty()) {
      throw new IllegalArgumentException(file + " has no class names");
    }
    if (line.hasOption("num-classes") && ModelArguments.intOption(line, "num-classes", 0) != names.size()) {
      throw new UsageException("--num-classes " + line.getOptionValue("num-classes") + " but " + file + " has "
          + names.size() + " class names");
    }
    return names;
  }
}
