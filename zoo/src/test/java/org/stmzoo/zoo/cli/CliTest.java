package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.ModelShape;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/** The CLI's contract: usage errors exit 2, user errors are one clear line without a stack trace. */
class CliTest {
  record Outcome(int code, String out, String err) {}

  @TempDir
  Path tmp;

  static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void unknownModelSuggestsTheClosestNames() {
    Outcome o = run("describe", "u-convnext-mikro");
    assertThat(o.code()).isEqualTo(1);
    assertThat(o.err()).contains("unknown model 'u-convnext-mikro'").contains("u-convnext-micro")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** A size the architecture cannot take is a bad --image-size value: a usage error naming the flag. */
  @Test
  void anImageSizeTheArchitectureCannotTakeNamesTheConstraint() {
    Outcome o = run("describe", "u-convnext-micro", "--image-size", "100");
    assertThat(o.code()).isEqualTo(2);
    assertThat(errorLine(o)).startsWith("error: --image-size: u-convnext-micro cannot take image size 100")
        .contains("multiple of 32");
    Outcome swin = run("describe", "u-swin-micro", "--image-size", "100");
    assertThat(swin.code()).isEqualTo(2);
    assertThat(errorLine(swin)).startsWith("error: --image-size: u-swin-micro cannot take image size 100");
    Outcome benchmark = run("benchmark", "--model", "u-swin-micro", "--image-size", "100");
    assertThat(benchmark.code()).isEqualTo(2);
    assertThat(benchmark.out()).doesNotContainPattern("[0-9.]+ images/s");
  }

  /** A flag given twice is refused before anything runs: Commons CLI alone kept the first value, silently. */
  @Test
  void aSingleValuedOptionGivenTwiceIsAUsageError() {
    Outcome describe = run("describe", "u-convnext-micro", "--image-size", "64", "--image-size", "32");
    assertThat(describe.code()).isEqualTo(2);
    assertThat(errorLine(describe)).isEqualTo("error: --image-size given more than once (it takes one value)");
    assertThat(describe.out()).doesNotContain("parameters:").contains("usage: ./stmzoo describe");
    // before any other check of the command: the first value would otherwise have been used or checked alone
    Outcome train = run("train", "--model", "u-convnext-micro", "--epochs", "1", "--epochs=0");
    assertThat(train.code()).isEqualTo(2);
    assertThat(errorLine(train)).isEqualTo("error: --epochs given more than once (it takes one value)");
    Outcome export = run("export", "--output", tmp.resolve("a").toString(), "--output", tmp.resolve("b").toString());
    assertThat(export.code()).isEqualTo(2);
    assertThat(errorLine(export)).isEqualTo("error: --output given more than once (it takes one value)");
  }

  /**
   * Output and data paths of the wrong kind are refused before a model is built or data read, named for what they
   * are: they used to fail after the training, attack or benchmark, as "cannot be accessed" or "does not exist".
   */
  @Test
  void pathsOfTheWrongKindAreRefusedBeforeAnyWork() throws IOException {
    Path file = Files.writeString(tmp.resolve("afile"), "x");
    Outcome analyze = run("analyze", "robustness", "--attack", "fgsm", "--model", "u-convnext-micro",
        "--random-init", "--data", "fashion-mnist-demo", "--images", "1", "--output", file.toString());
    assertThat(analyze.code()).as(analyze.err()).isEqualTo(1);
    assertThat(errorLine(analyze)).isEqualTo("error: " + file + ": is a file, not a folder");
    Outcome trainData = run("train", "--model", "u-convnext-micro", "--data", file.toString(), "--output",
        tmp.resolve("run").toString());
    assertThat(trainData.code()).isEqualTo(1);
    assertThat(errorLine(trainData)).isEqualTo("error: data folder " + file + " is a file, not a folder");
    Outcome trainOutput = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist-demo", "--output",
        file.resolve("run").toString());
    assertThat(errorLine(trainOutput)).isEqualTo("error: " + file + ": is a file, not a folder (in "
        + file.resolve("run") + ")");
    Outcome export = run("export", "--model", "u-convnext-micro", "--image-size", "32", "--output", file.toString());
    assertThat(errorLine(export)).isEqualTo("error: " + file + ": is a file, not a folder");
    assertThat(export.out()).doesNotContain("exported");
    Path missing = tmp.resolve("nope");
    Outcome benchmark = run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--image-size", "32",
        "--batch", "1", "--steps", "1", "--warmup", "0", "--data", missing.toString());
    assertThat(errorLine(benchmark)).isEqualTo("error: data folder " + missing + " does not exist");
    assertThat(benchmark.out()).doesNotContain("images/s");
    assertThat(tmp).isDirectoryNotContaining(p -> !p.equals(file)); // no run folder, no stray temporary
  }

  /** A folder wanted where a file is, as Files.createDirectories reports it: said so, not "cannot be accessed". */
  @Test
  void aFileWhereAFolderWasWantedIsNamedAsAFile() throws IOException {
    Path file = Files.writeString(tmp.resolve("afile"), "x");
    IOException e = assertThrows(IOException.class, () -> Files.createDirectories(file));
    assertThat(ErrorLine.of(e)).isEqualTo(file + ": is a file, not a folder");
  }

  /** Every command taking --image-size refuses a size the named model cannot take as describe does: exit 2. */
  @Test
  void anImageSizeTheModelCannotTakeIsAUsageErrorInEveryCommand() {
    String expected = "error: --image-size: u-swin-micro cannot take image size 100";
    String out = tmp.resolve("out").toString();
    List<String[]> commands = List.of(
        new String[] {"train", "--model", "u-swin-micro", "--image-size", "100", "--data", "fashion-mnist-demo",
            "--output", out},
        new String[] {"export", "--model", "u-swin-micro", "--image-size", "100", "--output", out},
        new String[] {"import", "--model", "u-swin-micro", "--image-size", "100", "--checkpoint",
            tmp.resolve("none.pth").toString(), "--output", out},
        new String[] {"analyze", "erf", "--model", "u-swin-micro", "--random-init", "--image-size", "100", "--data",
            "fashion-mnist-demo", "--output", out});
    for (String[] args : commands) {
      Outcome o = run(args);
      assertThat(o.code()).as(String.join(" ", args) + "\n" + o.err()).isEqualTo(2);
      assertThat(errorLine(o)).startsWith(expected);
      assertThat(o.out()).contains("usage: ./stmzoo " + args[0]);
    }
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  /** import's key mismatch as the CLI prints it: entries apart, the rest counted, within the one line's limit. */
  @Test
  void aKeyMismatchListsItsEntriesApartAndCountsTheRest() {
    List<String> missing = new java.util.ArrayList<>();
    List<String> unexpected = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      missing.add("missing tensor 'stages." + i + ".blocks.0.conv_dw.weight' for variable 'stages/" + i
          + "/blocks/0/conv_dw/kernel' [3, 3, 3, 16]");
      unexpected.add("unexpected tensor 'layers." + i + ".weight' [16] (no variable takes it)");
    }
    Map<String, List<String>> problems = new java.util.LinkedHashMap<>();
    problems.put("missing", missing);
    problems.put("unexpected", unexpected);
    String line = ErrorLine.of(new org.stmzoo.zoo.weights.WeightImportException("u-convnext-micro", problems));
    assertThat(line).startsWith("the checkpoint does not fit u-convnext-micro: 30 missing: missing tensor"
            + " 'stages.0.blocks.0.conv_dw.weight' for variable 'stages/0/blocks/0/conv_dw/kernel' [3, 3, 3, 16];"
            + " missing tensor 'stages.1.")
        .containsPattern("16]; \\.\\.\\. and [0-9]+ more\\. 30 unexpected: unexpected tensor 'layers\\.0\\.weight' \\[16]"
            + " \\(no variable takes it\\); ")
        .endsWith(" more").doesNotContain("] missing").hasSizeLessThan(600);
  }

  /** The TensorBoard command train prints pastes into a shell as it is, a space or a quote in the path too. */
  @Test
  void theTensorBoardHintIsShellQuoted() {
    assertThat(report(Path.of("runs/plain"))).contains("(tensorboard --logdir runs/plain/tensorboard)");
    assertThat(report(Path.of("runs/sp ace"))).contains("(tensorboard --logdir 'runs/sp ace/tensorboard')");
    assertThat(report(Path.of("runs/it's"))).contains("(tensorboard --logdir 'runs/it'\\''s/tensorboard')");
  }

  private static String report(Path run) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      TrainCommand.report(new org.stmzoo.zoo.api.TrainingResult(run, List.of()));
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(run().code()).isEqualTo(2);
    assertThat(run("no-such-command").code()).isEqualTo(2);
    assertThat(run("list", "--format", "xml").code()).isEqualTo(2);
    assertThat(run("benchmark").err()).contains("--model is required");
    assertThat(run("benchmark", "--model", "u-convnext-micro", "--mode", "serve", "--xla").code()).isEqualTo(2);
    Outcome plan = run("benchmark", "--model", "u-convnext-micro", "--thread-plan", "fastest");
    assertThat(plan.code()).isEqualTo(2);
    assertThat(plan.err()).contains("--thread-plan must be throughput, latency or batches, got 'fastest'");
    Outcome fusedTrain = run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--fused-layer-norm");
    assertThat(fusedTrain.code()).isEqualTo(2);
    assertThat(fusedTrain.err()).contains("--fused-layer-norm applies only to --mode infer and serve");
    assertThat(run("benchmark", "--model", "u-convnext-micro", "--data", "fashion-mnist").err())
        .contains("--data applies only to --mode train");
    assertThat(run("describe", "u-convnext-micro", "--image-size", "abc").code()).isEqualTo(2);
    Outcome crop = run("train", "--model", "u-convnext-micro", "--crop-pct", "1.5");
    assertThat(crop.code()).isEqualTo(2);
    assertThat(crop.err()).contains("--crop-pct must be a number in (0, 1], got '1.5'");
    Outcome initEma = run("train", "--model", "u-convnext-micro", "--init-ema");
    assertThat(initEma.code()).isEqualTo(2);
    assertThat(initEma.err()).contains("--init-ema goes with --init CHECKPOINT");
    // --json with --npy prints the logits, so a top-k count would be ignored
    Outcome top = run("predict", "--model-dir", "no-such-export", "--npy", "x.npy", "--json", "--top", "3");
    assertThat(top.code()).isEqualTo(2);
    assertThat(errorLine(top)).isEqualTo("error: --top applies only to images, or --npy without --json (which"
        + " prints the logits)");
  }

  /** The one {@code error:} line of a run (a usage error prints the usage to standard output). */
  static String errorLine(Outcome o) {
    List<String> lines = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertThat(lines).as(o.err()).hasSize(1);
    return lines.get(0);
  }

  @Test
  void exportRefusesNumClassesAndSeedWithWeights() {
    Outcome checkpoint = run("export", "--checkpoint", "no-such-run", "--num-classes", "3", "--output", "x");
    assertThat(checkpoint.code()).isEqualTo(2);
    assertThat(errorLine(checkpoint)).isEqualTo("error: --num-classes applies to a random initialisation, not to the"
        + " weights of --checkpoint (they fix the classes; rename them with --labels)");
    Outcome pretrained = run("export", "--pretrained", "no-such-tag", "--seed", "3", "--output", "x");
    assertThat(pretrained.code()).isEqualTo(2);
    assertThat(errorLine(pretrained)).isEqualTo("error: --seed applies to a random initialisation, not to the"
        + " weights of --pretrained");
  }

  /** TF Serving's versions are int64: a timestamp version is exported, one that is not positive is refused. */
  @Test
  void exportTakesATimestampVersionAndRefusesOneThatIsNotPositive() {
    Path served = tmp.resolve("served");
    Outcome timestamp = run("export", "--model", "u-convnext-micro", "--image-size", "32", "--output",
        served.toString(), "--version", "20240115093000");
    assertThat(timestamp.code()).as(timestamp.err()).isZero();
    assertThat(served.resolve("20240115093000/saved_model.pb")).isRegularFile();
    Outcome zero = run("export", "--model", "u-convnext-micro", "--output", served.toString(), "--version", "0");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(errorLine(zero)).isEqualTo("error: --version: the version must be a positive integer (TF Serving's"
        + " layout), got 0");
    Outcome past = run("export", "--all", "--output", served.toString(), "--version", "9223372036854775808");
    assertThat(past.code()).isEqualTo(2);
    assertThat(errorLine(past)).isEqualTo("error: --version must be a whole number, got '9223372036854775808'");
  }

  @Test
  void quickstartRefusesABadLimitTestBeforeTraining() {
    Path out = tmp.resolve("quick");
    Outcome o = run("quickstart", "--output", out.toString(), "--epochs", "1", "--limit-train", "64",
        "--limit-test", "0");
    assertThat(o.code()).isEqualTo(2);
    assertThat(errorLine(o)).isEqualTo("error: --limit-test must be a positive integer, got '0'");
    assertThat(o.out()).doesNotContain("./stmzoo train");
    assertThat(out).isEmptyDirectory(); // the run-folder check creates it; nothing trained into it
  }

  /**
   * {@code --limit-test} limits each epoch's validation as well as the evaluation (the run's {@code --limit-val}),
   * and the commands the quickstart echoes say so: its eval command, run as echoed, scores the same images.
   */
  @Test
  void quickstartValidatesAndEvaluatesOnItsLimitTestAndEchoesIt() throws IOException {
    Path out = tmp.resolve("quick");
    Outcome o = run("quickstart", "--output", out.toString(), "--epochs", "1", "--limit-train", "64",
        "--limit-test", "16");
    assertThat(o.code()).isEqualTo(0);
    assertThat(o.out()).contains(" --limit-train 64 --limit-val 16 ").contains("./stmzoo eval --checkpoint " + out
        + "\n").contains(" on 16 images, a class-stratified sample (seed 0) of ");
    Map<String, Object> args = new RunDirectory(out).readArgs();
    assertThat(args).containsEntry("limit_val", 16);
    assertThat((String) args.get("val_set")).startsWith("16 images, a class-stratified sample (seed 0) of ");
  }

  /**
   * Training flags that do not parse, are not finite, or are not whole where a count is meant are usage errors. Each
   * run ends in --chains 0, a later usage error, so that a value let through never starts a training run.
   */
  @Test
  void trainNumbersMustParseBeFiniteAndWhereCountedWhole() {
    String[][] cases = {
        {"--drop-path", "abc", "error: --drop-path must be a finite number, got 'abc'"},
        {"--drop-path", "NaN", "error: --drop-path must be a finite number, got 'NaN'"},
        {"--drop-path", "1.5", "error: --drop-path must be in [0, 1), got '1.5'"},
        {"--lr", "NaN", "error: --lr must be a finite number, got 'NaN'"},
        {"--weight-decay", "Infinity", "error: --weight-decay must be a finite number, got 'Infinity'"},
        {"--smoothing", "NaN", "error: --smoothing must be a finite number, got 'NaN'"},
        {"--epochs", "2.7", "error: --epochs must be a whole number, got '2.7'"},
        {"--batch-size", "1e2", "error: --batch-size must be a whole number, got '1e2'"},
        {"--seed", "0.5", "error: --seed must be a whole number, got '0.5'"},
        {"--save-every-steps", "-1", "error: --save-every-steps must be a non-negative integer, got '-1'"},
        {"--save-every-steps", "2.5", "error: --save-every-steps must be a non-negative integer, got '2.5'"},
        // a finite number the recipe refuses is a usage error as well
        {"--reprob", "1.5", "error: random-erasing probability must be in [0, 1], got 1.5"},
        {"--scale", "abc", "error: --scale must be a number in (0, 1], got 'abc'"},
        {"--scale", "0", "error: --scale must be a number in (0, 1], got '0'"},
        // a policy the transforms refuse, before the data is loaded and the run folder written
        {"--aa", "foo", "error: --aa: unsupported auto-augment 'foo': only RandAugment ('rand-m9-mstd0.5-inc1'"
            + " style) is implemented"},
        {"--aa", "rand-m9-x3", "error: --aa: unknown RandAugment section 'x3' in 'rand-m9-x3'"},
    };
    for (String[] c : cases) {
      Outcome o = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", c[0], c[1], "--chains", "0");
      assertThat(o.code()).as(c[0] + " " + c[1]).isEqualTo(2);
      assertThat(errorLine(o)).isEqualTo(c[2]);
    }
  }

  /** export --all: a model whose export throws anything reports it on its line, and the summary still comes. */
  @Test
  void exportAllReportsAnyFailurePerModelAndTheSummary() {
    List<ModelEntry> entries = ModelRegistry.all().subList(0, 2);
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = ExportCommand.exportEach(entries, entry -> {
        if (entry == entries.get(0)) {
          throw new IllegalStateException("graph construction failed");
        }
        throw new UncheckedIOException(new NoSuchFileException("/x/variables"));
      });
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8).lines().skip(1)).containsExactly(
        String.format("%-28s FAILED: graph construction failed", entries.get(0).name()),
        String.format("%-28s FAILED: /x/variables: no such file or folder", entries.get(1).name()));
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("error: 2 export(s) failed");
  }

  /** --val and --val-split apply to an image folder only, and the split is a fraction; ends in --chains 0 as above. */
  @Test
  void validationFlagsApplyToImageFoldersOnly() {
    String[][] cases = {
        {"fashion-mnist", "--val-split", "0.2",
            "error: --val-split applies to an image folder; --data fashion-mnist validates on its own test split"},
        {"fashion-mnist-demo", "--val", "some/folder",
            "error: --val applies to an image folder; --data fashion-mnist-demo validates on its own test split"},
        {"cifar10:/data/cifar", "--val-split", "0.1",
            "error: --val-split applies to an image folder; --data cifar10:/data/cifar validates on its own test"
                + " split"},
        {"images", "--val-split", "5", "error: --val-split must be a number in (0, 1), got '5'"},
        {"images", "--val-split", "NaN", "error: --val-split must be a number in (0, 1), got 'NaN'"},
    };
    for (String[] c : cases) {
      Outcome o = run("train", "--model", "u-convnext-micro", "--data", c[0], c[1], c[2], "--chains", "0");
      assertThat(o.code()).as(String.join(" ", c)).isEqualTo(2);
      assertThat(errorLine(o)).isEqualTo(c[3]);
    }
    Outcome both = run("train", "--model", "u-convnext-micro", "--data", "images", "--val", "v", "--val-split",
        "0.2", "--chains", "0");
    assertThat(both.code()).isEqualTo(2);
    assertThat(errorLine(both)).isEqualTo("error: give --val or --val-split, not both");
  }

  @Test
  void aNameFileThatIsNotUtf8IsNamed() throws IOException {
    Path latin1 = Files.write(tmp.resolve("labels.txt"), "caf\u00e9\nth\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Outcome export = run("export", "--model", "u-convnext-micro", "--labels", latin1.toString(), "--output",
        tmp.resolve("out").toString());
    assertThat(export.code()).isEqualTo(1);
    assertThat(errorLine(export)).isEqualTo("error: " + latin1 + ": not UTF-8 text (--labels takes a UTF-8 file, one"
        + " name per line)");
    Outcome imported = run("import", "--model", "pit-ti", "--checkpoint", tmp.resolve("none.pth").toString(),
        "--output", tmp.resolve("imported").toString(), "--num-classes", "2", "--class-names", latin1.toString());
    assertThat(imported.code()).isEqualTo(1);
    assertThat(errorLine(imported)).isEqualTo("error: " + latin1 + ": not UTF-8 text (--class-names takes a UTF-8"
        + " file, one name per line)");
  }

  /** describe's shape is the shared model flags' parse, with the model's default size and ImageNet's head. */
  @Test
  void describeMeasuresAtTheSharedModelFlags() {
    ModelInfo info = Catalogue.model("u-convnext-micro");
    DescribeCommand describe = new DescribeCommand();
    assertThat(ModelArguments.shape(parse(describe, "u-convnext-micro"), info)).isEqualTo(info.defaultShape());
    assertThat(ModelArguments.shape(parse(describe, "u-convnext-micro", "--image-size", "64", "--num-classes", "10",
        "--in-channels", "1"), info)).isEqualTo(new ModelShape(64, 10, 1));
    assertThatThrownBy(() -> ModelArguments.shape(parse(describe, "u-convnext-micro", "--image-size", "100"), info))
        .isInstanceOf(UsageException.class).hasMessageStartingWith("--image-size: u-convnext-micro cannot take");
  }

  /** A name on two lines of import's --class-names is a usage error naming the file and both lines. */
  @Test
  void aRepeatedClassNameIsAUsageErrorNamingTheLines() throws IOException {
    Path names = Files.writeString(tmp.resolve("names.txt"), "cat\n\ndog\n cat \n");
    Outcome imported = run("import", "--model", "pit-ti", "--checkpoint", tmp.resolve("none.pth").toString(),
        "--output", tmp.resolve("imported").toString(), "--num-classes", "3", "--class-names", names.toString());
    assertThat(imported.code()).isEqualTo(2);
    assertThat(errorLine(imported)).isEqualTo("error: --class-names " + names + ": line 4 repeats 'cat' of line 1");
    assertThat(tmp.resolve("imported")).doesNotExist();
  }

  /** --labels and --class-names read a name per line, stripped (import's kept the spaces), blank lines left out. */
  @Test
  void nameFilesAreStrippedLines() throws IOException {
    Path names = Files.writeString(tmp.resolve("names.txt"), "  golden retriever \n\n\tcat\n   \n");
    assertThat(CliArgs.nameLines("class-names", names)).containsExactly("golden retriever", "cat");
  }

  /** A damaged model card names the export it is in (the wrapping message), not just Jackson's complaint. */
  @Test
  void aDamagedModelCardNamesTheExport() throws IOException {
    Path served = tmp.resolve("served");
    Outcome export = run("export", "--model", "u-convnext-micro", "--image-size", "32", "--num-classes", "2",
        "--output", served.toString());
    assertThat(export.code()).as(export.err()).isZero();
    Path card = served.resolve("1").resolve("stmzoo.json");
    String text = Files.readString(card);
    Files.writeString(card, text.substring(0, text.length() / 2));
    Path image = tmp.resolve("x.png");
    ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    Outcome predict = run("predict", "--model-dir", served.toString(), image.toString());
    assertThat(predict.code()).isEqualTo(1);
    assertThat(errorLine(predict)).startsWith("error: cannot read the model card in " + served.resolve("1")
        + ": malformed JSON");
  }

  @Test
  void benchmarkNamesTheThreadPlanItRanUnder() {
    Outcome o = run("benchmark", "--model", "u-convnext-micro", "--image-size", "32", "--batch", "1", "--steps", "1",
        "--warmup", "0", "--threads", "2", "--thread-plan", "latency", "--fused-layer-norm");
    assertThat(o.code()).as(o.err()).isEqualTo(0);
    assertThat(o.out()).containsPattern("u-convnext-micro infer batch=1 image=32 steps=1: [0-9.]+ images/s")
        .contains("thread plan: latency (intra-op 1, inter-op 2)");
    Outcome batches = run("benchmark", "--model", "u-convnext-micro", "--image-size", "32", "--batch", "3",
        "--steps", "1", "--warmup", "0", "--threads", "2", "--thread-plan", "batches");
    assertThat(batches.code()).as(batches.err()).isEqualTo(0);
    assertThat(batches.out()).containsPattern("u-convnext-micro infer batch=3 image=32 steps=1: [0-9.]+ images/s")
        .contains("thread plan: batches (intra-op 1, inter-op 2)");
    // training under the batches plan: the step as two chains, each on half the batch
    Outcome train = run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--image-size", "32",
        "--batch", "4", "--steps", "1", "--warmup", "0", "--threads", "2", "--thread-plan", "batches");
    assertThat(train.code()).as(train.err()).isEqualTo(0);
    assertThat(train.out()).containsPattern("u-convnext-micro train batch=4 image=32 steps=1: [0-9.]+ images/s");
    Outcome odd = run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--image-size", "32",
        "--batch", "6", "--steps", "1", "--warmup", "0", "--threads", "4", "--thread-plan", "batches");
    assertThat(odd.code()).isEqualTo(2);
    assertThat(odd.err()).contains("the batch size 6 does not split evenly over 4 replicas");
  }

  @Test
  void trainChainsAreAPositiveCountAndStandAlone() {
    Outcome zero = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", "--chains", "0");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err()).contains("--chains");
    Outcome both = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", "--chains", "2",
        "--devices", "2");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("--chains does not combine with --devices or a cluster");
    Outcome odd = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", "--chains", "4",
        "--batch-size", "6");
    assertThat(odd.code()).isEqualTo(2);
    assertThat(odd.err()).contains("does not split evenly over 4");
  }

  @Test
  void trainBenchmarkWithDataReportsTheLoaderAloneBesideTheTrainingStep() throws Exception {
    try {
      FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false);
    } catch (IllegalArgumentException notInstalled) {
      assumeTrue(false, "Fashion-MNIST is not installed: " + notInstalled.getMessage());
    }
    Outcome o = run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--image-size", "32", "--batch",
        "4", "--steps", "1", "--warmup", "0", "--data", "fashion-mnist", "--aa", "none", "--loader-threads", "1");
    assertThat(o.code()).as(o.err()).isEqualTo(0);
    assertThat(o.out()).containsPattern("loader only: Fashion-MNIST.*32x32, aa=none, scale 0.08, 1 threads: "
        + "[0-9.]+ images/s \\(200 in ")
        .containsPattern("u-convnext-micro train batch=4 image=32 steps=1: [0-9.]+ images/s");
  }

  @Test
  void everyCommandHasHelp() {
    for (Command c : Commands.all()) {
      Outcome o = run(c.name(), "--help");
      assertThat(o.code()).as(c.name()).isEqualTo(0);
      assertThat(o.out()).as(c.name()).contains("./stmzoo " + c.name());
    }
  }

  @Test
  void listTsvHasTheDocumentedHeaderAndReferenceCounts() {
    Outcome o = run("list", "u-convnext-micro", "--format", "tsv");
    assertThat(o.code()).isEqualTo(0);
    String[] lines = o.out().strip().split("\n");
    assertThat(lines[0]).isEqualTo("name\tfamily\treference\tparameters\tgmacs");
    assertThat(lines[1]).startsWith("u-convnext-micro\tunified-convnext\tunified_convnext_micro\t4439624\t");
  }

  /**
   * Recipe and cluster flags that only act with another flag are refused without it, not ignored; each run ends in
   * --chains 0, a later usage error, so that a flag let through never starts a training run.
   */
  @Test
  void trainFlagsThatWouldBeIgnoredAreUsageErrors() {
    String[][] cases = {
        {"--distill-type", "soft", "error: --distill-type applies only to a run with --distill-teacher"},
        {"--distill-alpha", "0.3", "error: --distill-alpha applies only to a run with --distill-teacher"},
        {"--distill-tau", "2", "error: --distill-tau applies only to a run with --distill-teacher"},
        {"--model-ema-decay", "0.999", "error: --model-ema-decay applies only to a run with --model-ema or"
            + " --model-ema-eval"},
    };
    for (String[] c : cases) {
      Outcome o = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", c[0], c[1], "--chains", "0");
      assertThat(o.code()).as(c[0]).isEqualTo(2);
      assertThat(errorLine(o)).isEqualTo(c[2]);
    }
    // with the flag they go with, they pass on to the next check
    Outcome ema = run("train", "--model", "u-convnext-micro", "--data", "fashion-mnist", "--model-ema",
        "--model-ema-decay", "0.999", "--chains", "0");
    assertThat(errorLine(ema)).isEqualTo("error: --chains must be a positive integer, got '0'");
    CommandLine timeout = parse(new TrainCommand(Map.of()), "--model", "u-convnext-micro", "--data",
        "fashion-mnist", "--cluster-timeout", "30");
    assertThatThrownBy(() -> TrainCommand.parse(timeout, Map.of())).isInstanceOf(UsageException.class)
        .hasMessage("--cluster-timeout applies only to a cluster (--cluster or TF_CONFIG)");
  }

  @Test
  void trainSaveEveryStepsReachesTheSpecIsOffByDefaultAndHasHelp() {
    String[] run = {"--model", "u-convnext-micro", "--data", "fashion-mnist"};
    assertThat(TrainCommand.parse(parse(new TrainCommand(Map.of()), run), Map.of()).saveEverySteps()).isZero();
    String[] off = {"--model", "u-convnext-micro", "--data", "fashion-mnist", "--save-every-steps", "0"};
    assertThat(TrainCommand.parse(parse(new TrainCommand(Map.of()), off), Map.of()).saveEverySteps()).isZero();
    String[] periodic = {"--model", "u-convnext-micro", "--data", "fashion-mnist", "--save-every-steps", "500"};
    assertThat(TrainCommand.parse(parse(new TrainCommand(Map.of()), periodic), Map.of()).saveEverySteps())
        .isEqualTo(500);
    assertThat(run("train", "--help").out()).contains("--save-every-steps");
  }

  private static CommandLine parse(Command command, String... args) {
    try {
      return new DefaultParser().parse(command.options(), args);
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
  }

  /** download --sha256 with a value that is no SHA-256 is a usage error, found before any download. */
  @Test
  void downloadRefusesAMalformedSha256AsAUsageError() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home"));
    DownloadCommand download = new DownloadCommand(Map.of("STMZOO_HOME", home.toString(), "STMZOO_OFFLINE", "1"));
    assertThatThrownBy(() -> download.run(parse(download, "pit-ti.in1k", "--sha256", "xyz")))
        .isInstanceOf(UsageException.class).hasMessage("--sha256 takes 64 hex digits, got 'xyz'");
    assertThat(home).isEmptyDirectory();
  }

  /**
   * A platform without TensorFlow's natives (or a class whose loading failed) is the one error line with exit 1,
   * not a stack trace: LinkageErrors are caught like exceptions.
   */
  @Test
  void aLibraryThatCannotLoadIsOneErrorLine() {
    Command failing = new Command() {
      @Override
      public String name() {
        return "native";
      }

      @Override
      public String summary() {
        return "needs TF's natives";
      }

      @Override
      public Options options() {
        return new Options();
      }

      @Override
      public int run(CommandLine line) {
        throw new UnsatisfiedLinkError("no jnitensorflow in java.library.path: /usr/lib");
      }
    };
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.run(List.of(failing), new String[] {"native"});
    } finally {
      System.setErr(oldErr);
    }
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: cannot load a library this command"
        + " needs on ").contains("(no jnitensorflow in java.library.path: /usr/lib)").doesNotContain("\tat ")
        .doesNotContain("UnsatisfiedLinkError").hasLineCount(1);
    // the first failure, wrapped when a static initialiser failed and when the class is used again later
    assertThat(ErrorLine.of(new ExceptionInInitializerError(new UnsatisfiedLinkError("no jnitensorflow"))))
        .contains("(no jnitensorflow)");
    NoClassDefFoundError later = new NoClassDefFoundError("Could not initialize class org.tensorflow.Graph");
    later.initCause(new UnsatisfiedLinkError("no jnitensorflow"));
    assertThat(ErrorLine.of(later)).contains("(no jnitensorflow)");
  }
}
