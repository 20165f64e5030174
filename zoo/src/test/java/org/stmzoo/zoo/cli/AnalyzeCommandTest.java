package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.analysis.NoiseImageFolder;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** {@code ./stmzoo analyze}: bad input is one clear line with exit 2 (usage) or 1; a small report end to end. */
class AnalyzeCommandTest {
  @TempDir static Path dir;
  static Path images;

  @BeforeAll
  static void imageFolder() throws Exception {
    images = NoiseImageFolder.write(dir.resolve("images"), 2, "cat", "dog");
  }

  private static CliTest.Outcome analyze(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "analyze";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliTest.run(all);
  }

  private static void oneLine(CliTest.Outcome o, int code, String message) {
    assertThat(o.code()).as(o.err()).isEqualTo(code);
    assertThat(o.err()).contains(message).doesNotContain("\tat ").doesNotContain("Exception");
    // one error line (other lines on stderr: usage after a usage error, a test agent's notices)
    assertThat(o.err().lines().filter(l -> l.startsWith("error: ")).toList()).singleElement().asString()
        .contains(message);
  }

  @Test
  void numbersAreFiniteDecimalsOrFractions() {
    assertThat(AnalyzeCommand.number(" 0.5 ")).isEqualTo(0.5);
    assertThat(AnalyzeCommand.number("4/255")).isEqualTo(4.0 / 255);
    for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "1/0", "0/0", "abc", "1/x"}) {
      assertThatThrownBy(() -> AnalyzeCommand.number(bad)).as(bad).isInstanceOf(UsageException.class)
          .hasMessageContaining("not a finite number: '" + bad + "'");
    }
  }

  @Test
  void badInputIsOneClearLine() throws Exception {
    String data = images.toString();
    oneLine(analyze(), 2, "name the analysis");
    oneLine(analyze("spin", "--model", "u-convnext-micro", "--random-init", "--data", data), 2, "unknown analysis 'spin'");
    oneLine(analyze("invariance", "--type", "zoom", "--model", "u-convnext-micro", "--random-init", "--data", data), 2,
        "unknown invariance type 'zoom'");
    oneLine(analyze("invariance", "--model", "u-convnext-micro", "--random-init", "--data", data), 2,
        "--type is required");
    oneLine(analyze("robustness", "--attack", "cw", "--model", "u-convnext-micro", "--random-init", "--data", data), 2,
        "unknown attack 'cw'");
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--data", data), 2, "give the weights");
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--random-init"), 2, "give the images");
    oneLine(analyze("robustness", "--attack", "pgd", "--eps", "x/255", "--model", "u-convnext-micro", "--random-init",
        "--data", data), 2, "not a finite number: 'x/255'");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--random-init", "--data", empty.toString()), 1,
        "has no class sub-folders");
    // a size the named model cannot take is a bad flag value, refused as describe and benchmark refuse it
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--random-init", "--image-size", "100", "--data", data), 2,
        "--image-size: u-convnext-micro cannot take image size 100: it must be a positive multiple of 32");
    Path npy = dir.resolve("batch.npy");
    NpyFile.write(npy, new RawTensor(new long[] {1, 32, 32, 3}, new float[32 * 32 * 3]));
    oneLine(analyze("robustness", "--attack", "fgsm", "--model", "u-convnext-micro", "--random-init", "--npy",
        npy.toString()), 2, "the attacks need labels: give --labels LABELS.npy with --npy");
    // a report attacks too: refused before the ERF and the invariance of the first model run
    oneLine(analyze("report", "--type", "scale", "--attack", "fgsm", "--model", "u-convnext-micro", "--random-init",
        "--npy", npy.toString()), 2, "the attacks need labels: give --labels LABELS.npy with --npy");
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--random-init", "--data", data, "--labels",
        npy.toString()), 2, "--labels goes with --npy");
  }

  @Test
  void theReportDefaultsToOneHundredImagesForEveryAnalysis() throws Exception {
    Report.Spec spec = AnalyzeCommand.reportSpec(parse("report"), null, null);
    assertThat(spec.erf().images()).isEqualTo(50);
    assertThat(spec.invariance()).hasSize(4).allSatisfy(s -> assertThat(s.images()).isEqualTo(100));
    assertThat(spec.robustness()).hasSize(2).allSatisfy(s -> assertThat(s.images()).isEqualTo(100));
    Report.Spec given = AnalyzeCommand.reportSpec(parse("report", "--images", "30"), null, null);
    assertThat(given.erf().images()).isEqualTo(30);
    assertThat(given.invariance()).allSatisfy(s -> assertThat(s.images()).isEqualTo(30));
    assertThat(given.robustness()).allSatisfy(s -> assertThat(s.images()).isEqualTo(30));
  }

  private static CommandLine parse(String... args) throws Exception {
    return new DefaultParser().parse(new AnalyzeCommand(java.util.Map.of()).options(), args);
  }

  @Test
  void theErfReadsPastAnUnreadableImageToAverageTheImagesAskedFor() throws Exception {
    // cat/0b.png sorts second: with --images 2 the ERF must take the third image instead of averaging one map
    Path folder = dir.resolve("one-corrupt");
    for (String cls : new String[] {"cat", "dog"}) {
      Files.createDirectories(folder.resolve(cls));
      for (String name : new String[] {"0.png", "1.png"}) {
        Files.copy(images.resolve(cls).resolve(name.replace("b", "")), folder.resolve(cls).resolve(name));
      }
    }
    Files.writeString(folder.resolve("cat/0b.png"), "not a png");
    CliTest.Outcome o = analyze("erf", "--model", "u-convnext-micro", "--random-init", "--data", folder.toString(),
        "--images", "2", "--image-size", "32", "--output", dir.resolve("erf-corrupt").toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).contains("over 2 images (1 skipped");
  }

  @Test
  void twoModelsOfOneArchitectureGetTheirOwnFoldersAndColumns() throws Exception {
    Path out = dir.resolve("report-twins");
    CliTest.Outcome o = analyze("report", "--models", "u-convnext-micro,u-convnext-micro", "--random-init", "--data",
        images.toString(), "--images", "1", "--image-size", "32", "--type", "translation", "--attack", "fgsm",
        "--eps", "2/255", "--output", out.toString());
    assertThat(o.code()).as(o.err()).isZero();
    for (String label : new String[] {"u-convnext-micro-1", "u-convnext-micro-2"}) {
      assertThat(out.resolve(label).resolve("erf.npy")).isNotEmptyFile();
      assertThat(out.resolve(label).resolve("robustness-fgsm.csv")).isNotEmptyFile();
    }
    assertThat(out.resolve("u-convnext-micro")).doesNotExist();
    assertThat(out.resolve("report.md")).content()
        .contains("| `u-convnext-micro-1` | `u-convnext-micro-2` |")
        .contains("![u-convnext-micro-1 ERF](u-convnext-micro-1/erf.png)")
        .contains("![u-convnext-micro-2 ERF](u-convnext-micro-2/erf.png)")
        .contains("| `u-convnext-micro-2` |");
  }

  @Test
  void aReportOfOneModelEndToEnd() throws Exception {
    Path out = dir.resolve("report");
    CliTest.Outcome o = analyze("report", "--models", "u-convnext-micro", "--random-init", "--data",
        images.toString(), "--images", "2", "--image-size", "32", "--type", "post-rotation", "--attack", "fgsm",
        "--eps", "2/255", "--output", out.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(out.resolve("report.md")).content()
        .contains("invariance and robustness: 2 images, a class-stratified sample (seed 0) of image folder")
        .contains("## Effective receptive field")
        .contains("![u-convnext-micro ERF](u-convnext-micro/erf.png)").contains("### post-rotation")
        .contains("### fgsm").contains("eps 2/255").contains("## Time per analysis");
    assertThat(out.resolve("report.html")).content().contains("<table>").contains("data:image/png;base64,")
        .doesNotContain("src=\"u-convnext-micro/erf.png\"");
    assertThat(out.resolve("u-convnext-micro/erf.npy")).isNotEmptyFile();
    assertThat(Files.readAllLines(out.resolve("u-convnext-micro/invariance-post-rotation.csv"))).hasSize(20);
    assertThat(Files.readAllLines(out.resolve("u-convnext-micro/robustness-fgsm.csv"))).hasSize(2);
    assertThat(out.resolve("invariance-post-rotation.png")).isNotEmptyFile();
    assertThat(out.resolve("u-convnext-micro/examples-fgsm/example-001.png")).isNotEmptyFile();
  }

  /**
   * The live weights of a run that scored its EMA weights ({@code train --model-ema-eval}, which chose best/ by
   * them): analyze says so as eval and export do, once per model, and the report lists the note under the weights.
   */
  @Test
  void theLiveWeightsOfARunThatScoredItsEmaWeightsAreNoted() throws Exception {
    Path checkpoint = dir.resolve("ema-scored");
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("u-convnext-micro"), new ModelOptions(2, 3, 32, null),
          graph, 0L, -1, true);
      session.run(built.model().initializer());
      StmzooCheckpoint.write(checkpoint, session, built, StmzooCheckpoint.metadataFor(built, List.of("cat", "dog"),
          "test").withTraining(new CheckpointFolder.Training(4, 1, 50.0, true, true)));
    }
    String note = "the run scored the EMA weights of " + checkpoint + " (train --model-ema-eval: its eval top-1 and"
        + " the choice of best/ are theirs), not these live ones; --ema analyses the EMA weights";
    CliTest.Outcome erf = analyze("erf", "--checkpoint", checkpoint.toString(), "--data", images.toString(),
        "--images", "1", "--image-size", "32", "--output", dir.resolve("erf-ema-scored").toString());
    assertThat(erf.code()).as(erf.err()).isZero();
    assertThat(erf.out().lines().filter(l -> l.startsWith("note: ")).toList()).containsExactly("note: " + note);
    Path out = dir.resolve("report-ema-scored");
    CliTest.Outcome report = analyze("report", "--checkpoint", checkpoint.toString(), "--data", images.toString(),
        "--images", "1", "--image-size", "32", "--type", "translation", "--attack", "fgsm", "--output",
        out.toString());
    assertThat(report.code()).as(report.err()).isZero();
    assertThat(report.out().lines().filter(l -> l.startsWith("note: ")).toList()).containsExactly("note: " + note);
    assertThat(out.resolve("report.md")).content().contains("\n  - note: " + note + "\n");
  }

  /**
   * Every flag is parsed, and the analysis's spec built, before the data is read or a release fetched: with an
   * empty offline cache and data that does not exist, a bad value is still the usage error naming it.
   */
  @Test
  void aBadFlagValueIsAUsageErrorBeforeTheDataIsReadOrWeightsAreFetched() throws Exception {
    Path home = Files.createDirectories(dir.resolve("empty-home"));
    AnalyzeCommand command = new AnalyzeCommand(Map.of("STMZOO_HOME", home.toString(), "STMZOO_OFFLINE", "1"));
    String[] weights = {"--pretrained", "u-convnext-micro.in1k", "--data", dir.resolve("no-such-data").toString()};
    String[][] cases = {
        {"robustness", "--attack", "pgd", "--eps", "x/255", "not a finite number: 'x/255' (e.g. 0.0157 or 4/255)"},
        {"robustness", "--attack", "pgd", "--step-size", "abc", "not a finite number: 'abc' (e.g. 0.0157 or 4/255)"},
        {"robustness", "--attack", "pgd", "--eps", "2", "eps must be in [0, 1] (pixel units), got 2.0"},
        {"erf", "--image-size", "0", "--image-size must be a positive integer, got '0'"},
        {"invariance", "--type", "scale", "--batch-size", "0", "--batch-size must be a positive integer, got '0'"},
        {"report", "--erf-images", "0", "--erf-images must be a positive integer, got '0'"},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length - 1 + weights.length];
      System.arraycopy(c, 0, args, 0, c.length - 1);
      System.arraycopy(weights, 0, args, c.length - 1, weights.length);
      assertThatThrownBy(() -> CommandRunner.run(command, args)).as(String.join(" ", args))
          .isInstanceOf(UsageException.class).hasMessage(c[c.length - 1]);
    }
    assertThat(home).isEmptyDirectory();
  }

  /** A flag the analysis (or the weights' source) would ignore is refused, naming where it applies. */
  @Test
  void flagsTheAnalysisWouldIgnoreAreUsageErrors() {
    String data = dir.resolve("no-such-data").toString();
    String[][] cases = {
        {"erf", "--crop-pct", "0.9", "--crop-pct applies only to analyze invariance, robustness and report"},
        {"erf", "--type", "scale", "--type applies only to analyze invariance and report"},
        {"robustness", "--attack", "pgd", "--type", "scale", "--type applies only to analyze invariance and report"},
        {"erf", "--attack", "pgd", "--attack applies only to analyze robustness and report"},
        {"invariance", "--type", "scale", "--attack", "pgd", "--attack applies only to analyze robustness and report"},
        {"invariance", "--type", "scale", "--eps", "1/255", "--eps applies only to analyze robustness and report"},
        {"invariance", "--type", "scale", "--stage", "1", "--stage applies only to analyze erf and report"},
        {"robustness", "--attack", "pgd", "--image-size", "64", "--image-size applies only to analyze erf and report"},
        {"invariance", "--type", "scale", "--erf-images", "5", "--erf-images applies only to analyze report"},
        {"robustness", "--attack", "fgsm", "--steps", "5",
            "--steps applies only to the PGD attack (--attack pgd, or a report of both attacks)"},
        {"report", "--attack", "fgsm", "--random-start",
            "--random-start applies only to the PGD attack (--attack pgd, or a report of both attacks)"},
        {"erf", "--checkpoint", "runs/m", "--seed", "3",
            "--seed applies only to --random-init and analyze invariance, robustness and report"},
        {"erf", "--checkpoint", "runs/m", "--num-classes", "3", "--num-classes applies only to --random-init"},
        {"erf", "--pretrained", "u-convnext-micro.in1k", "--ema",
            "--ema applies only to --checkpoint and --checkpoints"},
        {"erf", "--checkpoint", "runs/m", "--offline", "--offline applies only to --pretrained"},
    };
    for (String[] c : cases) {
      boolean weightsGiven = Arrays.asList(c).contains("--checkpoint")
          || Arrays.asList(c).contains("--pretrained");
      List<String> args = new ArrayList<>(Arrays.asList(c).subList(0, c.length - 1));
      if (!weightsGiven) {
        args.addAll(List.of("--model", "u-convnext-micro", "--random-init"));
      }
      args.addAll(List.of("--data", data));
      oneLine(analyze(args.toArray(String[]::new)), 2, c[c.length - 1]);
    }
  }
}
