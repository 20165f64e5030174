package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageEncoding;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/** {@code ./stmzoo analyze}: bad input is one clear line with exit 2 (usage) or 1; a small report end to end. */
class AnalyzeCommandTest {
  @TempDir static Path dir;
  static Path images;

  @BeforeAll
  static void imageFolder() throws Exception {
    images = dir.resolve("images");
    Random random = new Random(0);
    for (String cls : new String[] {"cat", "dog"}) {
      for (int i = 0; i < 2; i++) {
        float[] px = new float[40 * 40 * 3];
        for (int p = 0; p < px.length; p++) {
          px[p] = random.nextFloat();
        }
        ImageEncoding.writeRgbPng(new LabeledImage(px, 40, 40, 3, 0), images.resolve(cls).resolve(i + ".png"));
      }
    }
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
    oneLine(analyze("erf", "--model", "u-convnext-micro", "--random-init", "--image-size", "100", "--data", data), 1,
        "u-convnext-micro cannot take image size 100: it must be a positive multiple of 32");
    Path npy = dir.resolve("batch.npy");
    NpyFile.write(npy, new RawTensor(new long[] {1, 32, 32, 3}, new float[32 * 32 * 3]));
    oneLine(analyze("robustness", "--attack", "fgsm", "--model", "u-convnext-micro", "--random-init", "--npy",
        npy.toString()), 2, "the attacks need labels: give --labels LABELS.npy with --npy");
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
}
