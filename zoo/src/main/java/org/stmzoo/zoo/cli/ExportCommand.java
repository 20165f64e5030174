package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.SavedModelExporter.ExportResult;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.ExportSpec;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.Weights;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * {@code ./stmzoo export (--model NAME [--pretrained TAG] | --pretrained TAG | --checkpoint DIR [--ema] | --all)
 * --output DIR [--version N] [--row-streams N] [--batch-streams N] [--fused-layer-norm]}: TF Serving SavedModels
 * ({@code DIR/<version>/}, or {@code DIR/<model>/<version>/}
 * for {@code --all}) with the model card beside them. The flags become an {@link ExportSpec} for
 * {@link Stmzoo#export(ExportSpec, java.util.function.Consumer)}, the call a Java user makes.
 */
final class ExportCommand implements Command {
  /** Largest reload difference accepted by {@code --all}: the same graph and weights, run again. */
  static final double RELOAD_TOLERANCE = 1e-5;

  private final Map<String, String> env;

  ExportCommand() {
    this(System.getenv());
  }

  /** @param env the variables that configure downloads (STMZOO_HOME, STMZOO_OFFLINE, STMZOO_MIRROR, STMZOO_MANIFEST) */
  ExportCommand(Map<String, String> env) {
    this.env = env;
  }

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
    return DownloadArguments.add(new Options())
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("a registered model").build())
        .addOption(Option.builder().longOpt("pretrained").hasArg().argName("TAG")
            .desc("published weights, downloaded or cached: a tag of ./stmzoo pretrained list, or with --model its"
                + " suffix (in1k) (default: random initialisation)").build())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("an stmzoo checkpoint: a checkpoint folder (import output, RUN/best, RUN/last) or a run folder"
                + " (its best/, else last/); model, classes, size, labels and weights come from it").build())
        .addOption(Option.builder().longOpt("ema").desc("with --checkpoint: export the EMA weights of a training"
            + " checkpoint (trained with --model-ema)").build())
        .addOption(Option.builder().longOpt("all").desc("every registered model, random weights, each reloaded to check it").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR")
            .desc("TF Serving base directory").build())
        .addOption(Option.builder().longOpt("version").hasArg().argName("N").desc("model version, a positive integer up to 2^63-1 such as a timestamp (default 1)").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S")
            .desc("input size (default: the model's)").build())
        .addOption(Option.builder().longOpt("labels").hasArg().argName("FILE")
            .desc("class names, one per line, in the model's class order (default: a checkpoint's or ImageNet's"
                + " names, class_0 ... class_N-1 for a random initialisation)").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N")
            .desc("random initialisation only: classes (default: the labels' count, else 1000); refused with"
                + " --checkpoint and --pretrained, whose weights fix their classes (rename them with --labels)")
            .build())
        .addOption(Option.builder().longOpt("seed").hasArg().argName("N")
            .desc("random initialisation only: its seed (default 0); refused with --checkpoint and --pretrained")
            .build())
        .addOption(Option.builder().longOpt("row-streams").hasArg().argName("N")
            .desc("build the MLPs and ViT/PiT blocks as N independent chains of rows (default 1): for batch-1"
                + " serving with intra-op 1 and inter-op N threads; the same function").build())
        .addOption(Option.builder().longOpt("batch-streams").hasArg().argName("N")
            .desc("cut each batch into N parts, each through the whole network as its own chain (default 1): for"
                + " serving batches with intra-op 1 and inter-op N threads; the same function").build())
        .addOption(Option.builder().longOpt("fused-layer-norm")
            .desc("LayerNorms in the form TF fuses into oneDNN's one-pass CPU kernel where its oneDNN graph passes"
                + " are on (standard ops, the same function): for CPU serving, see docs/export.md").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    boolean single = line.hasOption("model") || line.hasOption("pretrained");
    int modes = (single ? 1 : 0) + (line.hasOption("checkpoint") ? 1 : 0) + (line.hasOption("all") ? 1 : 0);
    if (modes != 1) {
      throw new UsageException("give exactly one of --model NAME [--pretrained TAG], --pretrained TAG,"
          + " --checkpoint DIR or --all");
    }
    if (line.hasOption("checkpoint") || line.hasOption("pretrained")) {
      // the weights fix the classes: numbered names would silently replace a checkpoint's or ImageNet's
      String weights = line.hasOption("checkpoint") ? "--checkpoint" : "--pretrained";
      for (String option : List.of("num-classes", "seed")) {
        if (line.hasOption(option)) {
          throw new UsageException("--" + option + " applies to a random initialisation, not to the weights of "
              + weights + (option.equals("num-classes") ? " (they fix the classes; rename them with --labels)" : ""));
        }
      }
    }
    if (line.hasOption("ema") && !line.hasOption("checkpoint")) {
      throw new UsageException("--ema goes with --checkpoint (a training checkpoint's EMA weights)");
    }
    if (!line.getArgList().isEmpty()) {
      throw new UsageException("unexpected arguments " + line.getArgList());
    }
    if (!line.hasOption("output")) {
      // checked here rather than as a required option, so that --help works without it
      throw new UsageException("give --output DIR");
    }
    Path output = PathChecks.outputFolder(Path.of(line.getOptionValue("output")));
    long version = version(line);
    int rowStreams = CliArgs.positiveInt(line, "row-streams", 1);
    int batchStreams = CliArgs.positiveInt(line, "batch-streams", 1);
    boolean fusedLayerNorm = line.hasOption("fused-layer-norm");
    if (line.hasOption("all")) {
      return exportAll(line, output, version, rowStreams, batchStreams, fusedLayerNorm);
    }
    Weights weights = line.hasOption("checkpoint")
        ? new Weights.Checkpoint(Path.of(line.getOptionValue("checkpoint")), line.hasOption("ema"))
        : line.hasOption("pretrained") ? Weights.pretrained(line.getOptionValue("pretrained"))
        : Weights.random(seed(line));
    Downloads downloads = DownloadArguments.parse(line, env);
    // a checkpoint names its model once read: the size is checked then, as the export builds it
    List<String> named = line.hasOption("model") ? List.of(line.getOptionValue("model"))
        : line.hasOption("pretrained")
        ? List.of(downloads.release(null, line.getOptionValue("pretrained")).model().name()) : List.of();
    ModelSpec model = new ModelSpec(line.getOptionValue("model"), weights,
        ModelArguments.imageSize(line, null, named), classNames(line), downloads, null);
    ExportResult result = Stmzoo.export(new ExportSpec(model, output, version, rowStreams, batchStreams,
        fusedLayerNorm), ExportCommand::printNote);
    System.out.printf(Locale.ROOT, "exported %s (%,d parameters, %s) to %s%n", result.card().name(),
        result.card().parameters(), result.card().weights(), result.directory());
    return 0;
  }

  private int exportAll(CommandLine line, Path output, long version, int rowStreams, int batchStreams,
      boolean fusedLayerNorm) throws IOException {
    List<String> classNames = classNames(line);
    long seed = seed(line);
    // parsed once, before the loop, so that a bad value is a usage error rather than every model's failure
    Integer imageSize = line.hasOption("image-size") ? CliArgs.positiveInt(line, "image-size", 0) : null;
    return exportEach(ModelRegistry.all(), entry -> {
      ModelSpec model = ModelSpec.of(entry.name(), Weights.random(seed)).withClassNames(classNames);
      if (imageSize != null) {
        model = model.withImageSize(imageSize);
      }
      return Stmzoo.export(new ExportSpec(model, output.resolve(entry.name()), version, rowStreams, batchStreams,
          fusedLayerNorm), ExportCommand::printNote);
    });
  }

  private static void printNote(String note) {
    System.out.println("note: " + note);
  }

  /** One model's export in {@code --all}. */
  @FunctionalInterface
  interface ModelExport {
    ExportResult export(ModelEntry entry) throws IOException;
  }

  /**
   * Exports and reloads each model, a line each; a model that fails (whatever it throws, as {@link ErrorLine}
   * reduces it) does not stop the others, and the count of failures ends the run.
   *
   * @return the exit code: 0, or 1 if any export failed
   */
  static int exportEach(List<ModelEntry> entries, ModelExport export) {
    System.out.printf("%-28s %12s %12s  %s%n", "MODEL", "PARAMS", "RELOAD DIFF", "DIRECTORY");
    int failures = 0;
    for (ModelEntry entry : entries) {
      try {
        ExportResult result = export.export(entry);
        double diff = result.verifyReload();
        boolean ok = diff <= RELOAD_TOLERANCE;
        failures += ok ? 0 : 1;
        System.out.printf(Locale.ROOT, "%-28s %,12d %12.2e  %s%s%n", entry.name(), result.card().parameters(), diff,
            result.directory(), ok ? "" : "  FAILED: the reloaded model differs");
      } catch (IOException | RuntimeException e) {
        failures++;
        System.out.printf("%-28s FAILED: %s%n", entry.name(), ErrorLine.of(e));
      }
      System.out.flush();
    }
    if (failures > 0) {
      System.err.printf("error: %d export(s) failed%n", failures);
      return 1;
    }
    return 0;
  }

  /**
   * {@code --version}, default 1: a positive int64, as TF Serving's versions are (a timestamp such as
   * 20240115093000 is one), checked here so that {@code --all} refuses a bad one before its first model.
   */
  private static long version(CommandLine line) {
    long version = CliArgs.wholeLong("version", line.getOptionValue("version", "1"));
    try {
      SavedModelExporter.requirePositiveVersion(version);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--version: " + e.getMessage());
    }
    return version;
  }

  private static long seed(CommandLine line) {
    return CliArgs.wholeLong("seed", line.getOptionValue("seed", "0"));
  }

  /**
   * The --labels file's names, else {@code class_i} for --num-classes (a random initialisation only; run() refuses it
   * with weights), else null (the model's own).
   */
  static List<String> classNames(CommandLine line) throws IOException {
    if (!line.hasOption("labels")) {
      return line.hasOption("num-classes")
          ? ExportRequest.numberedClasses(CliArgs.positiveInt(line, "num-classes", 0)) : null;
    }
    Path file = Path.of(line.getOptionValue("labels"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no labels file " + file);
    }
    List<String> names = CliArgs.nameLines("labels", file);
    if (names.isEmpty()) {
      throw new IllegalArgumentException(file + " has no class names");
    }
    if (line.hasOption("num-classes") && CliArgs.positiveInt(line, "num-classes", 0) != names.size()) {
      throw new UsageException("--num-classes " + line.getOptionValue("num-classes") + " but " + file + " has "
          + names.size() + " class names");
    }
    return names;
  }
}
