package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.recipes.output.ConfusionMatrixPlot;
import org.stmzoo.recipes.train.EvalResult;

/**
 * {@code ./stmzoo quickstart}: trains u-convnext-micro at 32x32 on Fashion-MNIST for a few minutes on a CPU,
 * evaluates it on the test split, and says where everything is. A demo setting: a higher rate, short warm-up
 * and no Mixup/CutMix/RandAugment, so that two short epochs already learn.
 */
final class QuickstartCommand implements Command {
  static final String MODEL = "u-convnext-micro";

  @Override
  public String name() {
    return "quickstart";
  }

  @Override
  public String summary() {
    return "train a small model on Fashion-MNIST for a few minutes, evaluate it, show where results are";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").desc("default runs/quickstart").build())
        .addOption(Option.builder().longOpt("epochs").hasArg().argName("E").desc("default 2").build())
        .addOption(Option.builder().longOpt("limit-train").hasArg().argName("N").desc("training images (default 10000)").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    String out = line.getOptionValue("output", "runs/quickstart");
    String[] args = {
        "--model", MODEL, "--data", "fashion-mnist", "--image-size", "32", "--batch-size", "64",
        "--epochs", line.getOptionValue("epochs", "2"), "--limit-train", line.getOptionValue("limit-train", "10000"),
        "--lr", "4e-3", "--warmup-epochs", "0.2", "--mixup", "0", "--cutmix", "0", "--aa", "none", "--reprob", "0",
        "--output", out};
    System.out.println("./stmzoo train " + String.join(" ", args));
    TrainCommand train = new TrainCommand();
    CommandLine trainLine = new DefaultParser().parse(train.options(), args);
    if (new org.stmzoo.recipes.output.RunDirectory(Path.of(out)).hasCheckpoint("last")) {
      throw new IllegalArgumentException(out + " already holds a run; remove it or pass --output");
    }
    train.run(trainLine);
    System.out.println();
    System.out.println("./stmzoo eval --checkpoint " + out);
    EvalResult result = EvalCommand.evaluate(Path.of(out), "fashion-mnist", false, 256, Integer.MAX_VALUE);
    EvalCommand.print(result);
    Path png = Path.of(out, "confusion_matrix.png");
    ConfusionMatrixPlot.write(png, result.confusion(), result.classNames());
    System.out.println();
    System.out.println("Done. In " + Path.of(out).toAbsolutePath() + ":");
    System.out.println("  args.json, summary.csv   the configuration and one row per epoch");
    System.out.println("  curves.png               loss and accuracy curves");
    System.out.println("  confusion_matrix.png     test-set confusion matrix");
    System.out.println("  best/, last/             TF checkpoints (./stmzoo eval --checkpoint " + out + ")");
    System.out.println("  tensorboard/             tensorboard --logdir " + Path.of(out, "tensorboard"));
    return 0;
  }
}
