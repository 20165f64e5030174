package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.ImageEncoding;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.recipes.output.ConfusionMatrixPlot;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;

/**
 * {@code ./stmzoo quickstart}: trains u-convnext-micro at 32x32 on Fashion-MNIST for a few minutes on a CPU,
 * evaluates it on the test split, exports it for serving ({@code RUN/export/1}), classifies the first test image
 * written as a PNG through the export's image-bytes signature, and says where everything is. A demo setting: a
 * higher rate, short warm-up, no Mixup/CutMix/RandAugment and whole images (flip only; evaluation uncropped), so
 * that two short epochs already learn: Fashion-MNIST's items fill the 28x28 frame, and ImageNet-style crops cost
 * accuracy there (docs/benchmarks.md).
 */
final class QuickstartCommand implements Command {
  static final String MODEL = "u-convnext-micro";
  /** The export's version directory under {@code RUN/export}. */
  static final String EXPORT_VERSION = "1";

  @Override
  public String name() {
    return "quickstart";
  }

  @Override
  public String summary() {
    return "train a small model on Fashion-MNIST for a few minutes, evaluate, export and try it on an image";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").desc("default runs/quickstart").build())
        .addOption(Option.builder().longOpt("epochs").hasArg().argName("E").desc("default 2").build())
        .addOption(Option.builder().longOpt("limit-train").hasArg().argName("N").desc("training images (default 10000)").build())
        .addOption(Option.builder().longOpt("limit-test").hasArg().argName("N").desc("test images evaluated (default all 10000)").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    String out = line.getOptionValue("output", "runs/quickstart");
    Path run = Path.of(out);
    String[] args = {
        "--model", MODEL, "--data", "fashion-mnist", "--image-size", "32", "--batch-size", "64",
        "--epochs", line.getOptionValue("epochs", "2"), "--limit-train", line.getOptionValue("limit-train", "10000"),
        "--lr", "4e-3", "--warmup-epochs", "0.2", "--mixup", "0", "--cutmix", "0", "--aa", "none", "--reprob", "0",
        "--scale", "1.0", "--crop-pct", "1.0", "--output", out};
    if (new RunDirectory(run).hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException(out + " already holds a run; remove it or pass --output");
    }
    runStep(new TrainCommand(), args);

    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(run);
    System.out.println();
    System.out.println("./stmzoo eval --checkpoint " + out);
    EvalResult result = EvalCommand.evaluate(checkpoint, "fashion-mnist", false, null, 256,
        CliArgs.positiveInt(line, "limit-test", Integer.MAX_VALUE));
    EvalCommand.print(result);
    Path png = run.resolve("confusion_matrix.png");
    ConfusionMatrixPlot.write(png, result.confusion(), result.classNames());

    System.out.println();
    Path export = run.resolve("export");
    runStep(new ExportCommand(), "--checkpoint", out, "--output", export.toString(), "--version", EXPORT_VERSION);

    System.out.println();
    Path sample = run.resolve("sample.png");
    ImageDataset test = DataSpec.evaluationSet("fashion-mnist");
    LabeledImage image = test.get(0);
    ImageEncoding.writeRgbPng(image, sample);
    System.out.println("./stmzoo predict --model-dir " + export + " " + sample);
    try (ExportedModel model = ExportedModel.load(export)) {
      PredictCommand.print(List.of(PredictCommand.predict(model, sample)), false);
    }
    System.out.println("  true label: " + test.classNames().get(image.label()));

    System.out.println();
    System.out.println("Done. In " + run.toAbsolutePath() + ":");
    System.out.println("  args.json, summary.csv   the configuration and one row per epoch");
    System.out.println("  curves.png               loss and accuracy curves");
    System.out.println("  confusion_matrix.png     test-set confusion matrix");
    System.out.println("  best/, last/             stmzoo checkpoints (./stmzoo eval --checkpoint " + out + ")");
    System.out.println("  export/" + EXPORT_VERSION + "/                TF Serving SavedModel (./stmzoo predict --model-dir "
        + export + " IMAGE...)");
    System.out.println("  sample.png               the test image classified above");
    System.out.println("  tensorboard/             tensorboard --logdir " + run.resolve("tensorboard"));
    return 0;
  }

  /** Runs another command as the line it prints, so the user can repeat each step. */
  private static void runStep(Command command, String... args) throws Exception {
    System.out.println("./stmzoo " + command.name() + " " + String.join(" ", args));
    int status = command.run(new DefaultParser().parse(command.options(), args));
    if (status != 0) {
      throw new IllegalStateException("./stmzoo " + command.name() + " failed (exit code " + status + ")");
    }
  }
}
