package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.recipes.output.ConfusionMatrixPlot;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.recipes.train.Evaluator;
import org.stmzoo.zoo.registry.BuiltModel;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * {@code ./stmzoo eval --checkpoint DIR --data ...}: top-1/top-5, loss, per-class accuracy and a confusion-matrix
 * PNG for a training run's weights ({@code best} by default, or the checkpoint folder given).
 */
final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "evaluate a trained run: top-1/top-5, per-class accuracy, confusion-matrix PNG";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("a run folder (its best weights) or one of its checkpoint folders (last/, best/)").build())
        .addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
            .desc("fashion-mnist (test split), cifar10:FOLDER (test batch) or an image folder (default: the run's)").build())
        .addOption(Option.builder().longOpt("ema").desc("evaluate the EMA weights").build())
        .addOption(Option.builder().longOpt("batch-size").hasArg().argName("B").desc("default 64").build())
        .addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("evaluate the first N images").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("PNG")
            .desc("confusion-matrix image (default RUN/confusion_matrix.png)").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    String checkpoint = line.getOptionValue("checkpoint");
    if (checkpoint == null) {
      throw new UsageException("--checkpoint is required");
    }
    EvalResult result = evaluate(Path.of(checkpoint), line.getOptionValue("data"), line.hasOption("ema"),
        ModelArguments.intOption(line, "batch-size", 64), ModelArguments.intOption(line, "limit", Integer.MAX_VALUE));
    Path png = Path.of(line.getOptionValue("output",
        RunModel.runFolder(Path.of(checkpoint)).resolve("confusion_matrix.png").toString()));
    print(result);
    ConfusionMatrixPlot.write(png, result.confusion(), result.classNames());
    System.out.println("Confusion matrix: " + png.toAbsolutePath());
    return 0;
  }

  static EvalResult evaluate(Path checkpoint, String dataSpec, boolean ema, int batchSize, int limit)
      throws IOException {
    RunModel model = RunModel.read(checkpoint);
    Path runFolder = RunModel.runFolder(checkpoint);
    String spec = dataSpec != null ? dataSpec : (String) new RunDirectory(runFolder).readArgs().get("data");
    ImageDataset data = DataArguments.evaluationSet(spec);
    if (limit < data.size()) {
      data = org.stmzoo.datasets.Subset.first(data, limit);
    }
    model.checkClasses(data.classNames(), "the checkpoint " + checkpoint);
    String prefix = RunModel.checkpointPrefix(checkpoint, RunDirectory.BEST).toString();
    System.out.printf("Evaluating %s from %s%s on %s%n", model.entry().name(), prefix, ema ? " (EMA weights)" : "",
        data.description());
    try (Graph g = new Graph(); Session session = new Session(g);
        BatchLoader loader = new BatchLoader(data, model.evalTransform(), batchSize, false, false, 0,
            Runtime.getRuntime().availableProcessors())) {
      BuiltModel built = BuiltModel.build(model.entry(), model.options(), g, 0, -1, true);
      CheckpointOps restore = CheckpointOps.build(built.model(), "restore", built.model().modelVariables(),
          v -> ema ? "ema/" + v.path() : v.path());
      restore.restore(session, prefix);
      Evaluator evaluator = new Evaluator(built.images(), built.output().logits(), model.classes().size());
      EvalResult result = evaluator.evaluate(session, loader, model.classes());
      if (loader.skippedImages() > 0) {
        System.out.printf("Skipped %d unreadable images%n", loader.skippedImages());
      }
      return result;
    }
  }

  static void print(EvalResult r) {
    System.out.printf(Locale.ROOT, "images: %d  top-1: %.2f%%  top-5: %.2f%%  loss: %.4f%n", r.images(), r.top1(),
        r.top5(), r.loss());
    double[] perClass = r.perClassAccuracy();
    List<String> names = r.classNames();
    int width = names.stream().mapToInt(String::length).max().orElse(5);
    System.out.println("per-class accuracy:");
    for (int c = 0; c < perClass.length; c++) {
      System.out.printf(Locale.ROOT, "  %-" + width + "s %6.2f%%%n", names.get(c), perClass[c]);
    }
  }
}
