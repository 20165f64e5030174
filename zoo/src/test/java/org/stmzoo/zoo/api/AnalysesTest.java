package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.zoo.analysis.NoiseImageFolder;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.analysis.Erf;
import org.stmzoo.zoo.analysis.ErfResult;
import org.stmzoo.zoo.analysis.Invariance;
import org.stmzoo.zoo.analysis.InvarianceResult;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.analysis.Robustness;
import org.stmzoo.zoo.analysis.RobustnessResult;
import org.stmzoo.zoo.analysis.StratifiedSamples;
import org.stmzoo.zoo.cli.Main;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * {@link Analyses} called as a Java program calls it: the same results, log and files as {@code ./stmzoo analyze},
 * every model on the same sample, and bad specs refused before anything is read.
 */
class AnalysesTest {
  @TempDir static Path dir;
  /** Three classes of two random 40x40 images: a sample of three is a strict, class-stratified subset. */
  static Path images;

  @BeforeAll
  static void imageFolder() throws Exception {
    images = NoiseImageFolder.write(dir.resolve("images"), 2, "cat", "dog", "fox");
  }

  private static ModelSpec randomModel(long seed) {
    return ModelSpec.of("u-convnext-micro", Weights.random(seed));
  }

  /** A log a test reads back: what a call printed into {@link #stream()}. */
  private static final class Log {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    PrintStream stream() {
      return stream;
    }

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Standard output of {@code ./stmzoo ARGS}, which must succeed. */
  private static String cli(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /**
   * Two models of one architecture and seed: the API logs what the CLI prints (but the CLI's closing line) and
   * writes the same numbers into the same folders (the CLI is a layer over the API: this checks the layer, not the
   * numbers, which {@link #invarianceOfTwoModelsIsWhatTheCliWroteBeforeTheApi} does), and both models score the
   * same on the same sample, named once. The sample is a function of the labels and the seed, so the models
   * would read the same images even if it were drawn for each; {@link #aSampleIsDrawnOncePerImagesSizeAndSeed}
   * checks that it is drawn once.
   */
  @Test
  void invarianceOfTwoModelsIsWhatTheCliWritesOnOneSample() throws Exception {
    Path cliOut = dir.resolve("cli-invariance");
    String printed = cli("analyze", "invariance", "--type", "translation", "--models",
        "u-convnext-micro,u-convnext-micro", "--random-init", "--data", images.toString(), "--images", "3",
        "--output", cliOut.toString());
    Path apiOut = dir.resolve("api-invariance");
    Log log = new Log();
    List<InvarianceResult> results = Analyses.invariance(
        AnalysisSpec.of(List.of(randomModel(0), randomModel(0)), AnalysisData.dataset(images.toString()), apiOut),
        new Invariance.Spec(Invariance.Type.TRANSLATION, 3, 32, 0, null), log.stream());

    assertThat(results).extracting(InvarianceResult::model).containsExactly("u-convnext-micro-1",
        "u-convnext-micro-2");
    assertThat(results).allSatisfy(r -> assertThat(r.images()).isEqualTo(3));
    assertThat(log.text()).isEqualTo(printed.substring(0, printed.indexOf("Wrote ")));
    // the time covers all the command did, not the analysis alone
    assertThat(printed.lines().toList().get(printed.lines().toList().size() - 1))
        .matches("Wrote .*cli-invariance \\(\\d+ s, reading the data and fetching the weights included\\)");
    assertThat(log.text().lines().filter(l -> l.startsWith("Images: ")).toList()).singleElement().asString()
        .startsWith("Images: 3 images, a class-stratified sample (seed 0) of image folder");
    assertThat(log.text()).contains(results.get(0).summary()).contains(results.get(1).summary());
    for (String label : List.of("u-convnext-micro-1", "u-convnext-micro-2")) {
      Path csv = apiOut.resolve(label).resolve("invariance-translation.csv");
      assertThat(csv).hasSameTextualContentAs(cliOut.resolve(label).resolve("invariance-translation.csv"));
    }
    assertThat(apiOut.resolve("invariance-translation.png")).isNotEmptyFile();
    // the same weights on the same images in the same process give the same numbers to the last bit; a random
    // model's near-uniform outputs put the losses of other images within 1e-4 of these
    assertThat(results.get(1).withModel("m")).isEqualTo(results.get(0).withModel("m"));
  }

  /** One model's translation table as {@code ./stmzoo analyze invariance} printed it at 5b10c92 (LABEL: its label). */
  private static final String TRANSLATION_SUMMARY = """
      LABEL translation over 3 images (crop-pct 0.875); reference view top-1 33.33%
           level   top-1   top-5 consistency     loss
               0   33.33  100.00     100.00%   1.0980
               4   33.33  100.00     100.00%   1.0980
               8   33.33  100.00     100.00%   1.0981
              12   33.33  100.00     100.00%   1.0981
              16   33.33  100.00     100.00%   1.0981
              20   33.33  100.00     100.00%   1.0981
              24   33.33  100.00     100.00%   1.0981
              28   33.33  100.00     100.00%   1.0981
              32   33.33  100.00     100.00%   1.0981
              36   33.33  100.00     100.00%   1.0981
              40   33.33  100.00     100.00%   1.0980
              44   33.33  100.00     100.00%   1.0982
              48   33.33  100.00     100.00%   1.0983
              52   33.33  100.00     100.00%   1.0984
              56   33.33  100.00     100.00%   1.0985
              60   33.33  100.00     100.00%   1.0983
              64   33.33  100.00     100.00%   1.0985
      """;

  /** Its {@code invariance-translation.csv} at 5b10c92, the same for both models. */
  private static final String TRANSLATION_CSV = """
      level,top1,top5,consistency,loss
      0,33.33,100.00,100.0000,1.098012
      4,33.33,100.00,100.0000,1.098046
      8,33.33,100.00,100.0000,1.098070
      12,33.33,100.00,100.0000,1.098053
      16,33.33,100.00,100.0000,1.098121
      20,33.33,100.00,100.0000,1.098076
      24,33.33,100.00,100.0000,1.098059
      28,33.33,100.00,100.0000,1.098091
      32,33.33,100.00,100.0000,1.098106
      36,33.33,100.00,100.0000,1.098143
      40,33.33,100.00,100.0000,1.098044
      44,33.33,100.00,100.0000,1.098177
      48,33.33,100.00,100.0000,1.098261
      52,33.33,100.00,100.0000,1.098355
      56,33.33,100.00,100.0000,1.098465
      60,33.33,100.00,100.0000,1.098316
      64,33.33,100.00,100.0000,1.098470
      """;

  /**
   * The golden case: what {@code ./stmzoo analyze invariance --type translation --models
   * u-convnext-micro,u-convnext-micro --random-init --images 3} printed and wrote at 5b10c92, before the CLI was a
   * layer over the API, for these images (the same on two runs there): the API logs the same lines (the CLI's
   * closing "Wrote" line aside) and writes the same files with the same numbers.
   */
  @Test
  void invarianceOfTwoModelsIsWhatTheCliWroteBeforeTheApi() throws Exception {
    Path out = dir.resolve("golden-invariance");
    Log log = new Log();
    Analyses.invariance(AnalysisSpec.of(List.of(randomModel(0), randomModel(0)),
        AnalysisData.dataset(images.toString()), out), new Invariance.Spec(Invariance.Type.TRANSLATION, 3, 32, 0,
        null), log.stream());

    // the losses to within float rounding: another CPU's kernels may sum in another order (1.0980 or 1.0981)
    assertThat(withoutLosses(log.text())).isEqualTo(withoutLosses("Images: 3 images, a class-stratified sample"
        + " (seed 0) of image folder " + images + " (6 images, 3 classes)\n"
        + TRANSLATION_SUMMARY.replace("LABEL", "u-convnext-micro-1")
        + TRANSLATION_SUMMARY.replace("LABEL", "u-convnext-micro-2")));
    try (var files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile).map(f -> out.relativize(f).toString()).sorted())
          .containsExactly("invariance-translation.png", "u-convnext-micro-1/invariance-translation.csv",
              "u-convnext-micro-1/invariance-translation.png", "u-convnext-micro-2/invariance-translation.csv",
              "u-convnext-micro-2/invariance-translation.png");
    }
    assertSameTable(out.resolve("u-convnext-micro-1/invariance-translation.csv"), TRANSLATION_CSV);
    assertSameTable(out.resolve("u-convnext-micro-2/invariance-translation.csv"), TRANSLATION_CSV);
  }

  /** {@code text} with each summary row's loss (its last column, 4 decimals) replaced by {@code L}. */
  private static String withoutLosses(String text) {
    return text.replaceAll("(?m) \\d+\\.\\d{4}$", " L");
  }

  /** The CSV equals {@code expected} but for its loss column, which must be within 5e-5 of expected's. */
  private static void assertSameTable(Path csv, String expected) throws IOException {
    List<String> actual = Files.readAllLines(csv);
    List<String> rows = expected.lines().toList();
    assertThat(actual).hasSameSizeAs(rows);
    for (int i = 0; i < rows.size(); i++) {
      String[] a = actual.get(i).split(",");
      String[] e = rows.get(i).split(",");
      assertThat(a).as(csv + " row " + i).hasSameSizeAs(e);
      int loss = e.length - 1;
      assertThat(Arrays.copyOf(a, loss)).as(csv + " row " + i).isEqualTo(Arrays.copyOf(e, loss));
      if (i == 0) {
        assertThat(a[loss]).isEqualTo(e[loss]);
      } else {
        assertThat(Double.parseDouble(a[loss])).as(csv + " row " + i).isCloseTo(Double.parseDouble(e[loss]),
            within(5e-5));
      }
    }
  }

  /** One model's ERF at 32 px: its numbers and figure in the output folder itself, its summary in the log. */
  @Test
  void theErfOfOneModelIsWrittenIntoTheOutputFolder() throws Exception {
    Path out = dir.resolve("erf");
    Log log = new Log();
    List<ErfResult> results = Analyses.erf(AnalysisSpec.of(randomModel(1), AnalysisData.dataset(images.toString()),
        out), new Erf.Spec(2, 32, null, 1), log.stream());
    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.model()).isEqualTo("u-convnext-micro");
      assertThat(r.images()).isEqualTo(2);
      assertThat(r.size()).isEqualTo(32);
    });
    assertThat(log.text()).isEqualTo(results.get(0).summary());
    assertThat(out.resolve("erf.npy")).isNotEmptyFile();
    assertThat(out.resolve("erf.png")).isNotEmptyFile();
    assertThat(out.resolve("u-convnext-micro")).doesNotExist();
  }

  /**
   * A labelled normalised batch, attacked in two models at 32 px: each maps it back with its own statistics, and
   * the comparison figure joins them.
   */
  @Test
  void aLabelledBatchIsAttackedInEveryModel() throws Exception {
    Path npy = dir.resolve("batch.npy");
    Path labels = dir.resolve("labels.npy");
    float[] values = new float[4 * 32 * 32 * 3];
    Random random = new Random(1);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    NpyFile.write(npy, new RawTensor(new long[] {4, 32, 32, 3}, values));
    NpyFile.write(labels, new RawTensor(new long[] {4}, new float[] {0, 1, 0, 1}));
    Path out = dir.resolve("robustness");
    List<ModelSpec> models = List.of(randomModel(0).withImageSize(32), ModelSpec.of("deit-tiny", Weights.random(0))
        .withImageSize(32));
    Log log = new Log();
    List<RobustnessResult> results = Analyses.robustness(AnalysisSpec.of(models, AnalysisData.npy(npy, labels), out),
        new Robustness.Spec(Robustness.Attack.FGSM, new double[] {2 / 255.0}, 1, null, false, 0, 2, 4, null, 0),
        log.stream());
    assertThat(results).extracting(RobustnessResult::model).containsExactly("u-convnext-micro", "deit-tiny");
    assertThat(results).allSatisfy(r -> assertThat(r.images()).isEqualTo(2));
    assertThat(out.resolve("u-convnext-micro/robustness-fgsm.csv")).isNotEmptyFile();
    assertThat(out.resolve("deit-tiny/robustness-fgsm.csv")).isNotEmptyFile();
    assertThat(out.resolve("robustness-fgsm.png")).isNotEmptyFile();
    assertThat(log.text().lines().filter(l -> l.startsWith("Images: ")).toList()).singleElement().asString()
        .startsWith("Images: 2 images, a class-stratified sample (seed 0) of " + npy);
  }

  /** The report of one model: its results per analysis, the report's pages, its folder under its name. */
  @Test
  void aReportOfOneModel() throws Exception {
    Path out = dir.resolve("report");
    Report.Spec spec = new Report.Spec(new Erf.Spec(1, 32, null, 1),
        List.of(new Invariance.Spec(Invariance.Type.SCALE, 2, 32, 0, null)),
        List.of(new Robustness.Spec(Robustness.Attack.FGSM, new double[] {1 / 255.0}, 1, null, false, 0, 2, 32, null,
            1)));
    List<Report.ModelResults> results = Analyses.report(AnalysisSpec.of(randomModel(0).withImageSize(32),
        AnalysisData.dataset(images.toString()), out), spec, new Log().stream());
    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.model()).isEqualTo("u-convnext-micro");
      assertThat(r.erf().images()).isEqualTo(1);
      assertThat(r.invariance()).singleElement().satisfies(i -> assertThat(i.images()).isEqualTo(2));
      assertThat(r.robustness()).singleElement().satisfies(i -> assertThat(i.images()).isEqualTo(2));
    });
    assertThat(out.resolve("report.md")).content().contains("### scale").contains("### fgsm");
    assertThat(out.resolve("report.html")).isNotEmptyFile();
    assertThat(out.resolve("u-convnext-micro/erf.npy")).isNotEmptyFile();
    assertThat(out.resolve("u-convnext-micro/examples-fgsm/example-000.png")).isNotEmptyFile();
    assertThat(out.resolve("u-convnext-micro/examples-fgsm/example-001.png")).doesNotExist();
  }

  /** Bad specs fail as they are built, naming the field; the attacks refuse unlabelled images before reading them. */
  @Test
  void badSpecsAreRefusedNamingTheField() {
    AnalysisData data = AnalysisData.dataset(images.toString());
    Path out = dir.resolve("never");
    assertThatThrownBy(() -> AnalysisSpec.of(List.of(), data, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("AnalysisSpec.models is empty: name at least one model");
    assertThatThrownBy(() -> AnalysisSpec.of(Arrays.asList(randomModel(0), null), data, out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("AnalysisSpec.models[1] is null");
    assertThatThrownBy(() -> AnalysisSpec.of(randomModel(0).withSpeed(InferenceSpeed.latency(2)), data, out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("AnalysisSpec.models[0].speed: ");
    assertThatThrownBy(() -> AnalysisSpec.of(ModelSpec.of(null, Weights.checkpoint(dir)).withClassNames(
        List.of("a", "b")), data, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("AnalysisSpec.models[0].classNames: ");
    assertThatThrownBy(() -> AnalysisSpec.of(randomModel(0), null, out)).isInstanceOf(NullPointerException.class)
        .hasMessage("AnalysisSpec.data");
    assertThatThrownBy(() -> AnalysisSpec.of(randomModel(0), data, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("AnalysisSpec.output");
    assertThatThrownBy(() -> AnalysisData.dataset(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("AnalysisData.Dataset.spec");
    AnalysisSpec spec = AnalysisSpec.of(randomModel(0), data, out);
    assertThatThrownBy(() -> Analyses.erf(spec, null, System.out)).isInstanceOf(NullPointerException.class)
        .hasMessage("erf");
    assertThatThrownBy(() -> Analyses.invariance(spec, new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, null),
        null)).isInstanceOf(NullPointerException.class).hasMessage("log");
    Path missing = dir.resolve("no-such.npy");
    assertThatThrownBy(() -> Analyses.robustness(spec.withData(AnalysisData.npy(missing)), new Robustness.Spec(
        Robustness.Attack.FGSM, new double[] {0.01}, 1, null, false, 0, 1, 1, null, 0), System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the attacks need labels: " + missing + " has none (give them with AnalysisData.npy(batch,"
            + " labels))");
    assertThat(out).doesNotExist();
  }

  /**
   * A size a model cannot take fails before the data is read and before an earlier model runs: the ERF's size for
   * every model, a model's own size for the other analyses.
   */
  @Test
  void imageSizesAreCheckedBeforeAnythingRuns() {
    Path out = dir.resolve("sizes");
    // deit-tiny takes 48 px and would run first; u-convnext-micro does not
    AnalysisSpec two = AnalysisSpec.of(List.of(ModelSpec.of("deit-tiny", Weights.random(0)), randomModel(0)),
        AnalysisData.dataset(images.toString()), out);
    assertThatThrownBy(() -> Analyses.erf(two, new Erf.Spec(1, 48, null, 1), new Log().stream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("u-convnext-micro cannot take image size 48: it must be a positive multiple of 32");
    assertThat(out).doesNotExist();
    // a model's own size: refused by its spec, before there is an analysis
    assertThatThrownBy(() -> randomModel(0).withImageSize(40)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("u-convnext-micro cannot take image size 40: it must be a positive multiple of 32");
    AnalysisSpec unread = AnalysisSpec.of(randomModel(0),
        AnalysisData.dataset(dir.resolve("no-such-folder").toString()), out);
    // the report opens each model at the ERF's size (and at its own)
    assertThatThrownBy(() -> Analyses.report(unread, new Report.Spec(
        new Erf.Spec(1, 40, null, 1), List.of(), List.of()), new Log().stream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("u-convnext-micro cannot take image size 40: it must be a positive multiple of 32");
  }

  /**
   * Every model's weights are located before the data is read and before an earlier model runs, whatever sizes the
   * analysis opens them at: a second model's missing checkpoint fails first (the data folder here does not exist
   * either, and would fail with another message). An unknown name is refused by its ModelSpec already.
   */
  @Test
  void everyModelIsLocatedBeforeTheDataIsRead() {
    Path out = dir.resolve("located");
    Path noCheckpoint = dir.resolve("no-such-run");
    AnalysisData unread = AnalysisData.dataset(dir.resolve("no-such-folder").toString());
    Invariance.Spec scale = new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, null);
    AnalysisSpec missing = AnalysisSpec.of(List.of(randomModel(0), ModelSpec.of(null, Weights.checkpoint(noCheckpoint))),
        unread, out);
    assertThatThrownBy(() -> Analyses.invariance(missing, scale, new Log().stream()))
        .hasMessageContaining(noCheckpoint.toString()).hasMessageNotContaining("no-such-folder");
    // an unknown name: refused by its spec, before there is an analysis
    assertThatThrownBy(() -> ModelSpec.of("u-nothing-micro", Weights.random(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown model 'u-nothing-micro'");
    assertThat(out).doesNotExist();
  }

  /** Every release is resolved before the first is fetched: a bad second tag fails before the first download. */
  @Test
  void everyTagIsResolvedBeforeAnyReleaseIsFetched() {
    Path home = dir.resolve("empty-home");
    Downloads offline = new Downloads(Map.of("STMZOO_HOME", home.toString()), true, null);
    AnalysisSpec spec = AnalysisSpec.of(List.of(
        ModelSpec.of(null, Weights.pretrained("pit-ti.in1k")).withDownloads(offline),
        ModelSpec.of(null, Weights.pretrained("pit-ti.nope")).withDownloads(offline)),
        AnalysisData.dataset(images.toString()), dir.resolve("tags"));
    // fetching pit-ti.in1k first would fail offline, on the empty cache, with another message
    assertThatThrownBy(() -> Analyses.invariance(spec, new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, null),
        new Log().stream())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown pretrained tag 'pit-ti.nope'");
    assertThat(dir.resolve("tags")).doesNotExist();
  }

  /**
   * A report attacks the images: an unlabelled batch is refused before it is read (the file does not exist), as
   * robustness refuses it; without attacks the report reads it (and here fails to).
   */
  @Test
  void aReportWithAttacksRefusesAnUnlabelledBatchFirst() {
    Path missing = dir.resolve("no-such-batch.npy");
    AnalysisSpec spec = AnalysisSpec.of(randomModel(0), AnalysisData.npy(missing), dir.resolve("unlabelled"));
    Erf.Spec erf = new Erf.Spec(1, 32, null, 1);
    assertThatThrownBy(() -> Analyses.report(spec, new Report.Spec(erf, List.of(), List.of(new Robustness.Spec(
        Robustness.Attack.FGSM, new double[] {0.01}, 1, null, false, 0, 1, 1, null, 0))), new Log().stream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the attacks need labels: " + missing + " has none (give them with AnalysisData.npy(batch,"
            + " labels))");
    assertThatThrownBy(() -> Analyses.report(spec, new Report.Spec(erf, List.of(), List.of()), new Log().stream()))
        .hasMessageContaining(missing.toString()).hasMessageNotContaining("the attacks need labels");
  }

  /**
   * A random initialisation's class count is {@link AnalysisSpec#randomInitClasses}, and it is used: two outputs
   * cannot score three classes. Class names on a random model are refused rather than ignored.
   */
  @Test
  void aRandomInitialisationTakesItsClassCountFromTheSpec() {
    AnalysisData data = AnalysisData.dataset(images.toString());
    Path out = dir.resolve("classes");
    assertThatThrownBy(() -> AnalysisSpec.of(randomModel(0).withClassNames(List.of("a", "b", "c")), data, out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("AnalysisSpec.models[0].classNames: a random"
            + " initialisation's classes are not named in the analyses; give their count as"
            + " AnalysisSpec.randomInitClasses");
    assertThatThrownBy(() -> AnalysisSpec.of(randomModel(0), data, out).withRandomInitClasses(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("AnalysisSpec.randomInitClasses must be at least 1, got 0");
    assertThatThrownBy(() -> AnalysisSpec.of(ModelSpec.of(null, Weights.checkpoint(dir)), data, out)
        .withRandomInitClasses(3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("AnalysisSpec.randomInitClasses: no model has random weights");
    AnalysisSpec two = AnalysisSpec.of(randomModel(0).withImageSize(32), data, out).withRandomInitClasses(2);
    assertThat(two.randomInitClasses()).isEqualTo(2);
    assertThatThrownBy(() -> Analyses.invariance(two, new Invariance.Spec(Invariance.Type.SCALE, 3, 3, 0, null),
        new Log().stream())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("has 3 classes, the model 2 outputs");
  }

  /**
   * The sample is drawn once for the images object every model of a dataset reads: the second model (or analysis)
   * gets the same sample without reading the labels again; another size or seed is drawn anew.
   */
  @Test
  void aSampleIsDrawnOncePerImagesSizeAndSeed() {
    AtomicInteger labelsRead = new AtomicInteger();
    ImageDataset dataset = new ImageDataset() {
      @Override
      public int size() {
        return 6;
      }

      @Override
      public List<String> classNames() {
        return List.of("a", "b", "c");
      }

      @Override
      public LabeledImage get(int index) {
        return new LabeledImage(new float[3], 1, 1, 3, label(index));
      }

      @Override
      public int label(int index) {
        labelsRead.incrementAndGet();
        return index % 3;
      }

      @Override
      public String description() {
        return "six images";
      }
    };
    AnalysisImages all = AnalysisImages.of(dataset);
    StratifiedSamples samples = new StratifiedSamples();
    AnalysisImages first = samples.of(all, 3, 0);
    assertThat(labelsRead).hasValue(6);
    assertThat(samples.of(all, 3, 0)).isSameAs(first);
    assertThat(labelsRead).hasValue(6);
    assertThat(samples.of(all, 3, 1)).isNotSameAs(first);
    assertThat(samples.of(all, 2, 0)).isNotSameAs(first);
    assertThat(labelsRead).hasValue(18);
    // the same images another object holds (a batch mapped back for another model) are drawn from again
    assertThat(samples.of(AnalysisImages.of(dataset), 3, 0)).isNotSameAs(first);
    assertThat(samples.first()).containsSame(first);
    assertThat(new StratifiedSamples().first()).isEmpty();
    // a caller's images of value equality: equal objects are still told apart
    record Same(ImageDataset data) implements AnalysisImages {
      public int size() {
        return data.size();
      }

      public boolean labelled() {
        return true;
      }

      public List<String> classNames() {
        return data.classNames();
      }

      public LabeledImage get(int index) throws java.io.IOException {
        return data.get(index);
      }

      public int label(int index) throws java.io.IOException {
        return data.label(index);
      }

      public String description() {
        return data.description();
      }
    }
    Same a = new Same(dataset);
    Same b = new Same(dataset);
    assertThat(a).isEqualTo(b);
    assertThat(samples.of(b, 3, 0)).isNotSameAs(samples.of(a, 3, 0));
  }
}
