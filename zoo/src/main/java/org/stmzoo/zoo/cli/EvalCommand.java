package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.recipes.output.ConfusionMatrixPlot;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.EvalSpec;
import org.stmzoo.zoo.api.Evaluation;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;

/**
 * {@code ./stmzoo eval --checkpoint DIR [--data ...] [--ema]}, flags parsed into an {@link EvalSpec} run by
 * {@link Evaluation}: top-1/top-5, loss, per-class accuracy and a
 * confusion-matrix PNG for an stmzoo checkpoint: a run folder (its {@code best}, else {@code last}), one of its
 * checkpoint folders, or an import output ({@link StmzooCheckpoint#resolve}).
 */
final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "evaluate a checkpoint (run or import): top-1/top-5, per-class accuracy, confusion-matrix PNG";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("a checkpoint folder (import output, RUN/best, RUN/last) or a run folder (its best/, else last/)").build())
        .addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
            .desc("fashion-mnist (test split), cifar10:FOLDER (test batch) or an image folder (its val/ beside"
                + " train/); default: the run's validation set; required for an import output").build())
        .addOption(Option.builder().longOpt("ema").desc("evaluate the EMA weights").build())
        .addOption(Option.builder().longOpt("batch-size").hasArg().argName("B").desc("default 64").build())
        .addOption(CliArgs.cropPctOption("the run's, else the model's"))
        .addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("evaluate N images, a class-stratified sample").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("PNG")
            .desc("confusion-matrix image (default RUN/confusion_matrix.png, or in the checkpoint folder outside a run)").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    String path = line.getOptionValue("checkpoint");
    if (path == null) {
      throw new UsageException("--checkpoint is required");
    }
    Float cropPct = line.hasOption("crop-pct") ? CliArgs.cropPct(line, 0) : null;
    EvalSpec spec = EvalSpec.of(Path.of(path)).withData(line.getOptionValue("data")).withEma(line.hasOption("ema"))
        .withCropPct(cropPct).withBatchSize(CliArgs.positiveInt(line, "batch-size", 64))
        .withLimit(line.hasOption("limit") ? CliArgs.positiveInt(line, "limit", 0) : null);
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(spec.checkpoint());
    if (spec.data() == null && checkpoint.run().isEmpty()) {
      throw new UsageException("give --data: " + checkpoint.directory() + " is not part of a training run, so there"
          + " is no data to default to");
    }
    Path png = line.hasOption("output") ? Path.of(line.getOptionValue("output"))
        : checkpoint.run().map(RunDirectory::root).orElse(checkpoint.directory()).resolve("confusion_matrix.png");
    // before the model is built and the data read: a wrong path found after the metrics costs the whole run
    PathChecks.outputFile(png);
    if (spec.data() != null) {
      DataSpec.checkFolders(spec.data());
    }
    EvalResult result = Evaluation.run(spec, System.out);
    print(result);
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent()); // as the folder outputs of the other commands are created
    }
    ConfusionMatrixPlot.write(png, result.confusion(), result.classNames());
    System.out.println("Confusion matrix: " + png.toAbsolutePath());
    return 0;
  }

  static void print(EvalResult r) {
    System.out.printf(Locale.ROOT, "images: %d  top-1: %.2f%%  top-5: %.2f%%  loss: %.4f%n", r.images(), r.top1(),
        r.top5(), r.loss());
    double[] perClass = r.perClassAccuracy();
    List<String> names = r.classNames();
    int width = names.stream().mapToInt(String::length).max().orElse(5);
    System.out.println("per-class accuracy:");
    for (int c = 0; c < perClass.length; c++) {
      // a class of the model that the evaluated folder has no images of has no accuracy, not 0% or NaN%
      System.out.printf(Locale.ROOT, "  %-" + width + "s %s%n", names.get(c), Double.isNaN(perClass[c])
          ? "     -  (no images)" : String.format(Locale.ROOT, "%6.2f%%", perClass[c]));
    }
  }
}
