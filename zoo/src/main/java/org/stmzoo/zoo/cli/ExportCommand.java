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
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.SavedModelExporter.ExportResult;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.checkpoint.TrainingSummary;
import org.stmzoo.zoo.registry.ExportRequests;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ImportedWeights;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;

/**
 * {@code ./stmzoo export (--model NAME [--pretrained TAG] | --pretrained TAG | --checkpoint DIR [--ema] | --all)
 * --output DIR [--version N] [--row-streams N]}: TF Serving SavedModels ({@code DIR/<version>/}, or {@code DIR/<model>/<version>/}
 * for {@code --all}) with the model card beside them.
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
        .addOption(Option.builder().longOpt("version").hasArg().argName("N").desc("model version (default 1)").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S")
            .desc("input size (default: the model's)").build())
        .addOption(Option.builder().longOpt("labels").hasArg().argName("FILE")
            .desc("class names, one per line (default: class_0 ... class_N-1)").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N")
            .desc("classes (default: the labels' count, else 1000)").build())
        .addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("seed of the random initialisation (default 0)").build())
        .addOption(Option.builder().longOpt("row-streams").hasArg().argName("N")
            .desc("build the MLPs and ViT/PiT blocks as N independent chains of rows (default 1): for batch-1"
                + " serving with intra-op 1 and inter-op N threads; the same function").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    boolean single = line.hasOption("model") || line.hasOption("pretrained");
    int modes = (single ? 1 : 0) + (line.hasOption("checkpoint") ? 1 : 0) + (line.hasOption("all") ? 1 : 0);
    if (modes != 1) {
      throw new UsageException("give exactly one of --model NAME [--pretrained TAG], --pretrained TAG,"
          + " --checkpoint DIR or --all");
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
    Path output = Path.of(line.getOptionValue("output"));
    long version = CliArgs.positiveInt(line, "version", 1);
    long seed = seed(line);
    int rowStreams = CliArgs.positiveInt(line, "row-streams", 1);
    if (line.hasOption("all")) {
      return exportAll(line, output, version, classNames(line, ExportRequest.numberedClasses(1000)), seed,
          rowStreams);
    }
    ExportRequest request;
    if (line.hasOption("checkpoint")) {
      request = checkpointRequest(line, seed);
    } else if (line.hasOption("pretrained")) {
      request = pretrainedRequest(line, seed);
    } else {
      ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
      request = ExportRequests.of(entry, imageSize(line, entry),
          classNames(line, ExportRequest.numberedClasses(1000)), WeightSource.randomInit(), seed);
    }
    ExportResult result = SavedModelExporter.export(request.withRowStreams(rowStreams), output, version);
    System.out.printf(Locale.ROOT, "exported %s (%,d parameters, %s) to %s%n", request.name(),
        result.card().parameters(), result.card().weights(), result.directory());
    return 0;
  }

  /**
   * The model a checkpoint was written for, at its image size, with its class names (numbered if it has none;
   * --labels may name them), restored from it: the trained weights, or their EMA with --ema. Weights from a
   * training run carry the run's summary into the model card.
   */
  private static ExportRequest checkpointRequest(CommandLine line, long seed) throws IOException {
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(Path.of(line.getOptionValue("checkpoint")));
    CheckpointFolder.Metadata meta = checkpoint.metadata();
    if (line.hasOption("image-size") && CliArgs.positiveInt(line, "image-size", 0) != meta.imageSize()) {
      throw new UsageException("the checkpoint is for " + meta.imageSize() + "px inputs; --image-size cannot change"
          + " that (import the reference weights at the other size instead)");
    }
    if (meta.inChannels() != 3) {
      throw new IllegalArgumentException("exports take RGB images, but the checkpoint's model has "
          + meta.inChannels() + " input channels");
    }
    List<String> classNames = classNames(line, meta.classNames().isEmpty()
        ? ExportRequest.numberedClasses(meta.numClasses()) : meta.classNames());
    if (classNames.size() != meta.numClasses()) {
      throw new UsageException("the checkpoint's model has " + meta.numClasses() + " classes, not "
          + classNames.size());
    }
    boolean ema = line.hasOption("ema");
    return ExportRequests.of(checkpoint.entry(), meta.imageSize(), checkpoint.preprocessing(), classNames,
            checkpoint.exportWeights(ema), seed)
        .withTrainingSummary(TrainingSummary.of(checkpoint, ema).orElse(null));
  }

  /**
   * A published release: resolved in the manifest, fetched into the cache unless it is there, imported through
   * the family's key map, exported with the preprocessing its accuracy was measured with.
   */
  private ExportRequest pretrainedRequest(CommandLine line, long seed) throws IOException {
    Downloads downloads = DownloadArguments.parse(line, env);
    Downloads.Release release = downloads.release(line.getOptionValue("model"), line.getOptionValue("pretrained"));
    ModelEntry entry = release.model();
    int imageSize = imageSize(line, entry);
    entry.checkImageSize(imageSize); // before a download that could not be used
    Path file = downloads.fetch(release, System.err);
    WeightSource weights = new ImportedWeights(entry, ReferenceCheckpoints.read(file),
        "pretrained " + release.entry().tag() + " (" + file.getFileName() + ")",
        note -> System.out.println("note: " + note));
    return ExportRequests.of(entry, imageSize, release.entry().preprocessing(),
        classNames(line, ImageNetClasses.names()), weights, seed);
  }

  private int exportAll(CommandLine line, Path output, long version, List<String> classNames, long seed,
      int rowStreams) {
    System.out.printf("%-28s %12s %12s  %s%n", "MODEL", "PARAMS", "RELOAD DIFF", "DIRECTORY");
    int failures = 0;
    for (ModelEntry entry : ModelRegistry.all()) {
      try {
        ExportRequest request = ExportRequests.of(entry, imageSize(line, entry), classNames,
            WeightSource.randomInit(), seed).withRowStreams(rowStreams);
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

  private static int imageSize(CommandLine line, ModelEntry entry) {
    return CliArgs.positiveInt(line, "image-size", entry.defaultImageSize());
  }

  private static long seed(CommandLine line) {
    String value = line.getOptionValue("seed", "0");
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--seed must be an integer, got '" + value + "'");
    }
  }

  /** The --labels file's names, else {@code class_i} for --num-classes, else {@code fallback}. */
  static List<String> classNames(CommandLine line, List<String> fallback) throws IOException {
    if (!line.hasOption("labels")) {
      return line.hasOption("num-classes")
          ? ExportRequest.numberedClasses(CliArgs.positiveInt(line, "num-classes", 0)) : fallback;
    }
    Path file = Path.of(line.getOptionValue("labels"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no labels file " + file);
    }
    List<String> names = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
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
