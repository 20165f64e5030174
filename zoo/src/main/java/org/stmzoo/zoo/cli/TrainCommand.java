package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.layers.io.ShellWords;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.parallel.Cluster;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.Parallelism;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.api.Training;
import org.stmzoo.zoo.api.TrainingListener;
import org.stmzoo.zoo.api.TrainingResult;
import org.stmzoo.zoo.api.Weights;

/**
 * {@code ./stmzoo train --model NAME --data PATH --epochs E --batch-size B --image-size S --output DIR [recipe]}:
 * the flags parsed into a {@link TrainSpec}, run by {@link Training} (DeiT's recipe). Starts from
 * scratch, from an stmzoo checkpoint ({@code --init}: an import output or another run), from a published release
 * ({@code --pretrained TAG}), or continues {@code --output}'s run ({@code --resume}). The run's {@code last/} and
 * {@code best/} are stmzoo checkpoints that eval, export, predict and --init read as they are.
 */
final class TrainCommand implements Command {
  private final Map<String, String> env;

  TrainCommand() {
    this(System.getenv());
  }

  /** @param env the variables that configure --pretrained downloads (STMZOO_HOME, STMZOO_OFFLINE, ...) */
  TrainCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train or fine-tune a model on an image folder, Fashion-MNIST or CIFAR-10 (DeiT recipe)";
  }

  @Override
  public Options options() {
    Options options = new Options()
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("model name (./stmzoo list)").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S").desc("input size (default: the model's)").build())
        .addOption(Option.builder().longOpt("drop-path").hasArg().argName("P").desc("drop-path rate (default: the model's)").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").desc("run folder (default runs/MODEL)").build())
        .addOption(Option.builder().longOpt("resume").desc("continue the run in --output from its 'last' checkpoint").build())
        .addOption(Option.builder().longOpt("init").hasArg().argName("CHECKPOINT")
            .desc("start from an stmzoo checkpoint: an import output, a run folder (its best/, else last/) or RUN/best,"
                + " RUN/last; a head for another class count is re-initialised").build())
        .addOption(Option.builder().longOpt("init-ema").desc("with --init: start from the checkpoint's EMA weights"
            + " (its run trained with --model-ema)").build())
        .addOption(Option.builder().longOpt("pretrained").hasArg().argName("TAG")
            .desc("start from published weights (downloaded or cached, as export --pretrained): a tag of"
                + " ./stmzoo pretrained list, or with --model its suffix (in1k)").build())
        .addOption(Option.builder().longOpt("distill-teacher").hasArg().argName("CHECKPOINT")
            .desc("DeiT distillation from this stmzoo checkpoint (a run folder: its best weights)").build())
        .addOption(CliArgs.cropPctOption("the model's"))
        .addOption(Option.builder().longOpt("devices").hasArg().argName("N|LIST")
            .desc("data-parallel over N devices (GPUs when there are N, else CPU devices) or a list such as"
                + " gpu:0,gpu:1; the batch size is the global batch and must split evenly (default: one device)").build())
        .addOption(Option.builder().longOpt("chains").hasArg().argName("N")
            .desc("data-parallel over N chains of ops on this CPU, each on its slice of the batch, one thread per"
                + " op: faster than TF's usual threading on few cores (BatchNorm normalises each slice alone, as"
                + " with --devices)").build())
        .addOption(Option.builder().longOpt("threads").hasArg().argName("N").desc("data loader threads (default: cores)").build())
        .addOption(Option.builder().longOpt("save-every-steps").hasArg().argName("N")
            .desc("also save last/ every N steps, mid-epoch, so that a crash or a lost cluster task costs at most N"
                + " steps (default 0: at epoch ends and on Ctrl-C only); not recorded or compared by --resume, as it"
                + " does not change what is trained").build())
        .addOption(Option.builder().longOpt("no-progress").desc("no progress bar, epoch lines only (also when output is not a terminal)").build());
    DataArguments.add(options);
    DownloadArguments.add(options);
    ClusterArguments.add(options);
    return RecipeArguments.add(options);
  }

  @Override
  public int run(CommandLine line) throws IOException {
    TrainSpec spec = parse(line, env);
    TrainingResult result = Training.run(spec, line.hasOption("no-progress") || System.console() == null
        ? TrainingListener.none() : TrainingListener.progressBar(), System.out);
    if (spec.parallelism().clusterIfAny().map(Cluster::isChief).orElse(true)) {
      report(result); // a worker task writes no run folder
    }
    return 0;
  }

  /** The flags as a {@link TrainSpec}. */
  static TrainSpec parse(CommandLine line, Map<String, String> env) {
    boolean resume = line.hasOption("resume");
    if ((resume ? 1 : 0) + (line.hasOption("init") ? 1 : 0) + (line.hasOption("pretrained") ? 1 : 0) > 1) {
      throw new UsageException("give at most one of --resume, --init and --pretrained");
    }
    if (!line.hasOption("model") && !line.hasOption("pretrained")) {
      throw new UsageException("--model is required");
    }
    if (line.hasOption("init-ema") && !line.hasOption("init")) {
      throw new UsageException("--init-ema goes with --init CHECKPOINT");
    }
    Weights init = line.hasOption("init") ? new Weights.Checkpoint(Path.of(line.getOptionValue("init")),
        line.hasOption("init-ema"))
        : line.hasOption("pretrained") ? Weights.pretrained(line.getOptionValue("pretrained")) : Weights.random();
    String model = line.getOptionValue("model");
    // parsed in the order the flags were always checked, so that the first usage error reported stays the same
    RecipeConfig recipe = RecipeArguments.parse(line, line.hasOption("distill-teacher"));
    Float cropPct = line.hasOption("crop-pct") ? CliArgs.cropPct(line, 0) : null;
    DataSpec data = DataArguments.parse(line);
    if (line.hasOption("image-size")) {
      // a malformed value reported where it always was; the model's size rule once the model is known, below
      CliArgs.positiveInt(line, "image-size", 0);
    }
    Float dropPath = CliArgs.numberBelow(line, "drop-path", 0, 1);
    Downloads downloads = DownloadArguments.parse(line, env);
    String modelName = model != null ? model
        : downloads.release(null, line.getOptionValue("pretrained")).model().name();
    Integer imageSize = ModelArguments.imageSize(line, null, List.of(modelName));
    Path output = Path.of(line.getOptionValue("output", "runs/" + modelName));
    int threads = CliArgs.positiveInt(line, "threads", Runtime.getRuntime().availableProcessors());
    int saveEverySteps = CliArgs.nonNegativeInt(line, "save-every-steps", 0);
    // through the with-methods a Java program calls; the recipe replaces the one TrainSpec.of makes
    TrainSpec spec = TrainSpec.of(model, data, output, recipe.epochs(), recipe.batchSize()).withRecipe(recipe)
        .withInit(init).withResume(resume).withDropPath(dropPath)
        .withAugmentation(RecipeArguments.autoAugment(line), RecipeArguments.minScale(line)).withCropPct(cropPct)
        .withDistillTeacher(line.hasOption("distill-teacher") ? Path.of(line.getOptionValue("distill-teacher")) : null)
        .withThreads(threads).withDownloads(downloads).withParallelism(parallelism(line, env, recipe.batchSize()))
        .withSaveEverySteps(saveEverySteps);
    return imageSize != null ? spec.withImageSize(imageSize) : spec;
  }

  /** {@code --devices}, or a cluster from {@code --cluster} or TF_CONFIG; what does not parse is a usage error. */
  private static Parallelism parallelism(CommandLine line, Map<String, String> env, int batchSize) {
    Optional<Cluster> cluster = ClusterArguments.parse(line, env);
    try {
      if (line.hasOption("chains") && (line.hasOption("devices") || cluster.isPresent())) {
        throw new IllegalArgumentException("--chains does not combine with --devices or a cluster (--cluster or"
            + " TF_CONFIG)");
      }
      Parallelism parallel = cluster.isPresent()
          ? Parallelism.cluster(cluster.get(), ClusterArguments.timeout(line))
          : line.hasOption("devices") ? Parallelism.devices(line.getOptionValue("devices"))
          : line.hasOption("chains") ? Parallelism.chains(CliArgs.positiveInt(line, "chains", 1))
          : Parallelism.none();
      if (cluster.isPresent() && line.hasOption("devices")) {
        throw new IllegalArgumentException("--devices and a cluster (--cluster or TF_CONFIG) do not combine: one"
            + " device per task");
      }
      parallel.replicas().checkBatchSize(batchSize);
      return parallel;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static void report(TrainingResult result) {
    result.bestTop1().ifPresent(best -> System.out.printf(Locale.ROOT, "Best eval top-1: %.2f%%%n", best));
    Path out = result.runDirectory();
    System.out.println("Results in " + out.toAbsolutePath() + ": summary.csv, curves.png, tensorboard/, "
        + "checkpoints last/ and best/ (tensorboard --logdir " + ShellWords.quote(out.resolve("tensorboard")) + ")");
  }
}
