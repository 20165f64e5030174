package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.ImageEncoding;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.layers.io.ShellWords;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.ConfusionMatrixPlot;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.EvalSpec;
import org.stmzoo.zoo.api.Evaluation;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.api.Training;
import org.stmzoo.zoo.api.TrainingListener;

/**
 * {@code ./stmzoo quickstart}: trains u-convnext-micro at 32x32 on Fashion-MNIST (the embedded demo subset when
 * the full set is not installed) for a few minutes on a CPU, through the Java API ({@link Training},
 * {@link Evaluation}, {@link Stmzoo}),
 * evaluates it on the test split (validated on each epoch, and evaluated, on {@code --limit-test} of its images
 * when given: the run's {@code --limit-val}, which eval then defaults to), exports it for serving ({@code RUN/export/1}), classifies the first test image
 * written as a PNG through the export's image-bytes signature, and says where everything is. A demo setting: a
 * higher rate, short warm-up, no Mixup/CutMix/RandAugment and whole images (flip only; evaluation uncropped), so
 * that two short epochs already learn: Fashion-MNIST's items fill the 28x28 frame, and ImageNet-style crops cost
 * accuracy there (docs/benchmarks.md).
 */
final class QuickstartCommand implements Command {
  static final String MODEL = "u-convnext-micro";
  /** The export's version directory under {@code RUN/export}. */
  static final long EXPORT_VERSION = 1;
  /** Without the full Fashion-MNIST (Debian's package or the cache), the demo subset embedded in the datasets jar. */
  static final String DEMO_DATA = FashionMnist.DEMO_SPEC;

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
        .addOption(Option.builder().longOpt("limit-test").hasArg().argName("N").desc("test images validated on and evaluated (default all)").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    String out = line.getOptionValue("output", "runs/quickstart");
    Path run = Path.of(out);
    if (new RunDirectory(run).hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException(out + " already holds a run; remove it or pass --output");
    }
    boolean fullSet = FashionMnist.missingFiles(Path.of(FashionMnist.DEBIAN_FOLDER)).isEmpty()
        || FashionMnist.missingFiles(FashionMnist.defaultCacheFolder()).isEmpty();
    String data = fullSet ? "fashion-mnist" : DEMO_DATA;
    int epochs = CliArgs.positiveInt(line, "epochs", 2);
    int limitTrain = CliArgs.positiveInt(line, "limit-train", 10000);
    // parsed with the others, so that a bad value is refused before minutes of training, not after them; the run's
    // --limit-val, so each epoch validates on the images eval then scores
    Integer limitTest = line.hasOption("limit-test") ? CliArgs.positiveInt(line, "limit-test", 0) : null;
    TrainSpec spec = TrainSpec.of(MODEL, DataSpec.of(data).withLimits(limitTrain, limitTest), run, epochs, 64)
        .withImageSize(32)
        .withRecipe(new RecipeConfig(epochs, 64, 4e-3, 1e-5, 1e-6, 0.2, 0.05, 0, 0.1, 0, 0, 0.5, 0, false, 0.99996,
            false, RecipeConfig.Distillation.none(), 0))
        .withAugmentation(null, 1.0f).withCropPct(1.0f);
    System.out.println((fullSet ? "" : "Fashion-MNIST is not installed: training on the embedded demo set " + DEMO_DATA
        + " (apt-get install dataset-fashion-mnist for the full set)\n") + "./stmzoo train --model " + MODEL
        + " --data " + data + " --image-size 32 --batch-size 64 --epochs " + epochs + " --limit-train " + limitTrain
        + (limitTest == null ? "" : " --limit-val " + limitTest) + " --lr 4e-3 --warmup-epochs 0.2 --mixup 0 --cutmix 0 --aa none --reprob 0 --scale 1.0 --crop-pct 1.0"
        + " --output " + ShellWords.quote(out));
    TrainCommand.report(Training.run(spec, System.console() == null ? TrainingListener.none()
        : TrainingListener.progressBar(), System.out));

    System.out.println();
    // the run's validation set, with its --limit-val
    System.out.println("./stmzoo eval --checkpoint " + ShellWords.quote(out));
    EvalResult result = Evaluation.run(EvalSpec.of(run), System.out);
    EvalCommand.print(result);
    Path png = run.resolve("confusion_matrix.png");
    ConfusionMatrixPlot.write(png, result.confusion(), result.classNames());

    System.out.println();
    Path export = run.resolve("export");
    System.out.println("./stmzoo export --checkpoint " + ShellWords.quote(out) + " --output "
        + ShellWords.quote(export));
    try (StmzooModel trained = Stmzoo.load(run)) {
      System.out.println("exported " + trained.name() + " to " + trained.export(export, EXPORT_VERSION));
    }

    System.out.println();
    Path sample = run.resolve("sample.png");
    ImageDataset test = DataSpec.evaluationSet(data);
    LabeledImage image = test.get(0);
    ImageEncoding.writeRgbPng(image, sample);
    System.out.println("./stmzoo predict --model-dir " + ShellWords.quote(export) + " "
        + ShellWords.quote(sample));
    try (StmzooModel served = Stmzoo.loadExport(export)) {
      PredictCommand.print(List.of(PredictCommand.predict(served, sample, 5)), false);
    }
    System.out.println("  true label: " + test.classNames().get(image.label()));

    System.out.println();
    System.out.println("Done. In " + run.toAbsolutePath() + ":");
    System.out.println("  args.json, summary.csv   the configuration and one row per epoch");
    System.out.println("  curves.png               loss and accuracy curves");
    System.out.println("  confusion_matrix.png     test-set confusion matrix");
    System.out.println("  best/, last/             stmzoo checkpoints (./stmzoo eval --checkpoint " + ShellWords.quote(out) + ")");
    System.out.println("  export/" + EXPORT_VERSION + "/                TF Serving SavedModel (./stmzoo predict --model-dir "
        + ShellWords.quote(export) + " IMAGE...)");
    System.out.println("  sample.png               the test image classified above");
    System.out.println("  tensorboard/             tensorboard --logdir " + ShellWords.quote(run.resolve("tensorboard")));
    return 0;
  }
}
