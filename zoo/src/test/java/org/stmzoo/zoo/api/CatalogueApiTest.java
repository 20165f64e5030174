package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.zoo.cli.Main;
import org.stmzoo.zoo.pretrained.LoopbackMirror;
import org.stmzoo.zoo.weights.ReferenceParity;

/**
 * {@code list}, {@code describe}, {@code pretrained list}, {@code download} and {@code import} from Java: the
 * catalogue, releases, downloads and imports give what the commands print, and their specs refuse bad values.
 */
class CatalogueApiTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir Path dir;

  @Test
  void aModelsInfoAndMeasurementAreWhatListPrints() {
    ModelInfo info = Catalogue.model("u-convnext-micro");
    assertThat(info.family()).isEqualTo("unified-convnext");
    assertThat(info.reference()).isEqualTo("unified_convnext_micro");
    assertThat(info.defaultImageSize()).isEqualTo(224);
    assertThat(info.preprocessing().interpolation()).isNotBlank();
    ModelMeasurement measured = info.measure(ModelShape.imagenet());
    assertThat(measured.parameters()).isEqualTo(4_439_624L);
    assertThat(measured.shape()).isEqualTo(ModelShape.imagenet());

    String listed = cli("list", "u-convnext-micro", "--format", "tsv");
    assertThat(listed.lines().toList()).containsExactly("name\tfamily\treference\tparameters\tgmacs",
        String.join("\t", info.name(), info.family(), info.reference(), Long.toString(measured.parameters()),
            String.format(Locale.ROOT, "%.2f", measured.gmacs())));
  }

  @Test
  void aMeasurementAtAnotherShapeIsWhatDescribePrints() {
    ModelInfo info = Catalogue.model("u-convnext-micro");
    ModelShape shape = info.defaultShape().withImageSize(64).withNumClasses(10);
    ModelMeasurement small = info.measure(shape);
    // the head is the only part that depends on the classes: 384 features (and a bias) per class
    assertThat(info.measure(ModelShape.imagenet()).parameters() - small.parameters()).isEqualTo(990L * 385);
    assertThat(small.outputShapes()).containsEntry("logits", "[1, 10]");
    assertThat(List.copyOf(small.outputShapes().keySet())).last().isEqualTo("logits");

    String described = cli("describe", "u-convnext-micro", "--image-size", "64", "--num-classes", "10");
    assertThat(described).contains("config:         " + info.config() + "\n",
        "input:          64x64x3, 10 classes\n",
        String.format(Locale.ROOT, "parameters:     %,d%n", small.parameters()),
        String.format(Locale.ROOT, "GMACs:          %.3f%n", small.gmacs()),
        String.format(Locale.ROOT, "crop_pct=%.3f %s", info.preprocessing().cropPct(),
            info.preprocessing().interpolation()));
    small.outputShapes().forEach((stage, outputShape) ->
        assertThat(described).contains(String.format("  %-12s %s%n", stage, outputShape)));
  }

  @Test
  void badShapesAndUnknownNamesAreRefused() {
    ModelInfo info = Catalogue.model("u-convnext-micro");
    assertThatThrownBy(() -> info.measure(info.defaultShape().withImageSize(100)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("u-convnext-micro cannot take image size 100").hasMessageContaining("multiple of 32");
    assertThatThrownBy(() -> new ModelShape(0, 10, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelShape.imageSize must be >= 1, got 0");
    assertThatThrownBy(() -> ModelShape.imagenet().withNumClasses(-2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelShape.numClasses must be >= 1, got -2");
    assertThatThrownBy(() -> ModelShape.imagenet().withInChannels(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelShape.inChannels must be >= 1, got 0");
    assertThatThrownBy(() -> info.measure(null)).isInstanceOf(NullPointerException.class).hasMessage("shape");
    assertThatThrownBy(() -> Catalogue.model("u-convnext-mikro")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown model 'u-convnext-mikro'").hasMessageContaining("u-convnext-micro");
    assertThatThrownBy(() -> Catalogue.models(null)).isInstanceOf(NullPointerException.class).hasMessage("glob");
  }

  @Test
  void writingIntoAnInfosPreprocessingLeavesTheRegistryAsItWas() {
    float[] mean = Catalogue.model("pit-ti").preprocessing().mean();
    float[] std = Catalogue.model("pit-ti").preprocessing().std();
    Catalogue.model("pit-ti").preprocessing().mean()[0] = 0f;
    Catalogue.model("pit-ti").preprocessing().std()[0] = 1f;
    assertThat(Catalogue.model("pit-ti").preprocessing().mean()).containsExactly(mean).startsWith(0.485f);
    assertThat(Catalogue.model("pit-ti").preprocessing().std()).containsExactly(std).startsWith(0.229f);
    assertThat(Catalogue.model("pit-ti")).isEqualTo(Catalogue.model("pit-ti"));
  }

  @Test
  void anInfoBuiltByHandMustSayWhatTheRegistrySays() {
    ModelInfo info = Catalogue.model("pit-ti");
    assertThat(new ModelInfo(info.name(), info.family(), info.reference(), info.config(), info.defaultImageSize(),
        info.defaultDropPath(), info.preprocessing())).isEqualTo(info);
    assertThatThrownBy(() -> new ModelInfo("pit-tiny", info.family(), info.reference(), info.config(), 224, 0.1f,
        info.preprocessing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ModelInfo.name: unknown model 'pit-tiny'");
    assertThatThrownBy(() -> new ModelInfo(info.name(), info.family(), info.reference(), info.config(), 32,
        info.defaultDropPath(), info.preprocessing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelInfo.defaultImageSize is 32, the registry's is 224 (use Catalogue.model(name))");
    assertThatThrownBy(() -> new ModelInfo(info.name(), "deit", info.reference(), info.config(),
        info.defaultImageSize(), info.defaultDropPath(), info.preprocessing()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ModelInfo.family is deit, the registry's is ");
    assertThatThrownBy(() -> new ModelInfo(info.name(), info.family(), info.reference(), info.config(),
        info.defaultImageSize(), info.defaultDropPath(), info.preprocessing().withCropPct(0.5f)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ModelInfo.preprocessing is ");
  }

  @Test
  void aGlobSelectsModelsByName() {
    List<String> micro = Catalogue.models("u-*-micro").stream().map(ModelInfo::name).toList();
    assertThat(micro).contains("u-convnext-micro", "u-swin-micro").allMatch(n -> n.matches("u-.*-micro"));
    List<String> all = Catalogue.models().stream().map(ModelInfo::name).toList();
    assertThat(all).containsAll(micro).contains("pit-ti", "deit-tiny").hasSizeGreaterThan(micro.size());
    assertThat(Catalogue.models("no-such-*")).isEmpty();
    // a pattern that is no glob says so, not "Missing ']' near index 0"
    assertThatThrownBy(() -> Catalogue.models("u-[")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a glob: 'u-[' (").hasMessageEndingWith("; e.g. 'u-*-micro')");
    assertThat(Catalogue.unpublished()).containsKey("shiftvit-r4-base");
    assertThat(Catalogue.unpublished().keySet()).doesNotContainAnyElementsOf(
        releasesIn(new Downloads(Map.of("STMZOO_HOME", dir.toString()), true, null)).stream()
            .map(ReleaseInfo::model).toList());
  }

  /**
   * A release's file put into the cache by hand (how an offline machine gets it) is pinned at its first use, and
   * the verification says so rather than "by this download"; a null progress stream is silence.
   */
  @Test
  void aFileCopiedIntoTheCacheIsPinnedAtItsFirstUseNotDownloaded() throws Exception {
    byte[] weights = "copied by hand".getBytes(StandardCharsets.UTF_8);
    Path home = dir.resolve("offline-home");
    Downloads offline = new Downloads(Map.of("STMZOO_HOME", home.toString()), true, null);
    Path file = release(offline, "pit-ti.in1k").file();
    Files.createDirectories(file.getParent());
    Files.write(file, weights);

    FetchedWeights fetched = offline.download("pit-ti.in1k", null, null);
    assertThat(fetched.file()).isEqualTo(file).hasBinaryContent(weights);
    assertThat(fetched.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(weights)));
    assertThat(fetched.verification()).startsWith("no published SHA-256: SHA-256 pinned on ")
        .endsWith(" in " + offline.pinFile() + " at its first use (the file was in the cache, not downloaded)");
  }

  @Test
  void releasesShowWhatADownloadPinnedAndCached() throws Exception {
    byte[] weights = "not really weights, but bytes".getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
    try (LoopbackMirror mirror = LoopbackMirror.serving("pit_ti_730.pth", weights)) {
      Downloads downloads = new Downloads(Map.of("STMZOO_HOME", dir.toString()), false, mirror.url());
      ReleaseInfo before = release(downloads, "pit-ti.in1k");
      assertThat(before.model()).isEqualTo("pit-ti");
      assertThat(before.cached()).isFalse();
      assertThat(before.checksums()).isEqualTo(new ReleaseInfo.Checksums(null, null, null));
      assertThat(before.file()).isEqualTo(dir.resolve("weights/pit_ti_730.pth"));
      assertThat(release(downloads, "deit-tiny.in1k").checksums().sha256Prefix()).isEqualTo("a1311bcf");

      FetchedWeights fetched = downloads.download("pit-ti.in1k", null, QUIET);
      assertThat(fetched.file()).isEqualTo(before.file()).hasBinaryContent(weights);
      assertThat(fetched.sha256()).isEqualTo(sha);
      // nothing was known before this first download: the file was pinned, not matched with its own pin
      assertThat(fetched.verification()).startsWith("no published SHA-256: SHA-256 pinned on ")
          .endsWith(" in " + downloads.pinFile() + " by this download");
      FetchedWeights again = downloads.download("pit-ti.in1k", null, QUIET);
      assertThat(again.sha256()).isEqualTo(sha);
      assertThat(again.verification()).startsWith("SHA-256 matches the SHA-256 pinned on ")
          .endsWith(" in " + downloads.pinFile());
      ReleaseInfo after = release(downloads, "pit-ti.in1k");
      assertThat(after.cached()).isTrue();
      assertThat(after.checksums().pinnedSha256()).isEqualTo(sha);
      assertThat(after.size()).isEqualTo(weights.length);

      // a SHA-256 the caller vouches for is checked against the file downloaded again
      Files.delete(fetched.file());
      FetchedWeights vouched = downloads.download("pit-ti.in1k", sha.toUpperCase(Locale.ROOT), QUIET);
      assertThat(vouched.verification()).isEqualTo("SHA-256 matches the SHA-256 the caller vouched for");
      assertThat(vouched.file()).hasBinaryContent(weights);
      assertThatThrownBy(() -> downloads.download("pit-ti.in1k", "00".repeat(32), QUIET))
          .hasMessageContaining("not the SHA-256 the caller vouched for").hasMessageNotContaining("--sha256 ");
    }
  }

  @Test
  void aSha256IsRefusedBeforeAnythingIsDownloaded() throws Exception {
    Downloads offline = new Downloads(Map.of("STMZOO_HOME", dir.toString()), true, null);
    assertThat(offline.sha256Refusal("pit-ti.in1k", "xyz")).contains("acceptSha256 takes 64 hex digits, got 'xyz'");
    assertThat(offline.sha256Refusal("pit-ti.in1k", "xyz", "--sha256"))
        .contains("--sha256 takes 64 hex digits, got 'xyz'");
    assertThat(offline.sha256Refusal("pit-ti.in1k", "ab".repeat(32))).isEmpty();
    assertThat(offline.sha256Refusal("pit-ti.in1k", null)).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> offline.download("pit-ti.in1k", "xyz", QUIET))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("acceptSha256 takes 64 hex digits, got 'xyz'");
    assertThatThrownBy(() -> offline.sha256Refusal("pit-ti.nope", "xyz"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown pretrained tag 'pit-ti.nope'");
    assertThatThrownBy(() -> offline.download(null, null, QUIET)).isInstanceOf(NullPointerException.class)
        .hasMessage("tag");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void anImportWritesTheCheckpointTheCommandWritesAndSaysWhatItAdapted() throws Exception {
    Path fixture = ReferenceParity.fixture("pit_ti_224.safetensors");
    List<String> notes = new ArrayList<>();
    ImportSpec spec = ImportSpec.of("pit-ti", fixture, dir.resolve("api")).withNumClasses(3)
        .withClassNames(List.of("cat", "dog", "bird"));
    ImportedCheckpoint imported = WeightImport.run(spec, notes::add);
    // the fixture's 160 tensors but the head's weight and bias, which a 3-class head re-initialises
    assertThat(imported).isEqualTo(new ImportedCheckpoint(dir.resolve("api"), "pit-ti", 224, 3, 158));
    assertThat(notes).anySatisfy(n -> assertThat(n).contains("head is re-initialised", "head/kernel"));
    try (StmzooModel model = Stmzoo.load(imported.directory())) {
      assertThat(model.name()).isEqualTo("pit-ti");
      assertThat(model.classNames()).containsExactly("cat", "dog", "bird");
    }

    Path names = Files.writeString(dir.resolve("names.txt"), "cat\ndog\nbird\n");
    String printed = cli("import", "--model", "pit-ti", "--num-classes", "3", "--class-names", names.toString(),
        "--checkpoint", fixture.toString(), "--output", dir.resolve("cli").toString());
    StringBuilder expected = new StringBuilder();
    notes.forEach(n -> expected.append("note: ").append(n).append('\n'));
    expected.append("imported ").append(imported.tensors()).append(" tensors of pit_ti_224.safetensors into pit-ti"
        + " (3 classes, 224px); wrote ").append(dir.resolve("cli")).append('\n');
    assertThat(printed).isEqualTo(expected.toString());
    assertThat(fileNames(dir.resolve("cli"))).isEqualTo(fileNames(dir.resolve("api"))).isNotEmpty();
    for (String file : fileNames(dir.resolve("api"))) {
      Path written = dir.resolve("api").resolve(file);
      if (Files.isRegularFile(written)) {
        assertThat(dir.resolve("cli").resolve(file)).as(file).hasSameBinaryContentAs(written);
      }
    }
  }

  @Test
  void anImportSpecRefusesBadValuesAndTheImportABadSizeOrCountBeforeWriting() {
    Path fixture = ReferenceParity.fixture("pit_ti_224.safetensors");
    Path out = dir.resolve("out");
    ImportSpec spec = ImportSpec.of("pit-ti", fixture, out);
    assertThatThrownBy(() -> spec.withNumClasses(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ImportSpec.numClasses must be >= 1, got 0");
    assertThatThrownBy(() -> spec.withImageSize(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ImportSpec.imageSize must be >= 1, got -1");
    assertThatThrownBy(() -> spec.withClassNames(List.of("a", "b", "a"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ImportSpec.classNames names 'a' twice (again at index 2)");
    assertThatThrownBy(() -> spec.withClassNames(Arrays.asList("a", null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ImportSpec.classNames[1] is null");
    assertThatThrownBy(() -> ImportSpec.of(null, fixture, out)).isInstanceOf(NullPointerException.class)
        .hasMessage("ImportSpec.model");
    assertThatThrownBy(() -> ImportSpec.of("pit-ti", fixture, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("ImportSpec.output");
    assertThatThrownBy(() -> WeightImport.run(spec.withNumClasses(3).withClassNames(List.of("a", "b")), n -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ImportSpec.classNames lists 2 classes, the model has 3");
    // the model and its size rule are checked when the spec is built, as BenchmarkSpec checks them
    assertThatThrownBy(() -> spec.withImageSize(100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ImportSpec.imageSize: pit-ti cannot take image size 100");
    assertThatThrownBy(() -> ImportSpec.of("pit-tiny", fixture, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ImportSpec.model: unknown model 'pit-tiny'");
    assertThatThrownBy(() -> WeightImport.run(spec, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("notes");
    assertThat(out).doesNotExist();
  }

  private static ReleaseInfo release(Downloads downloads, String tag) {
    return releasesIn(downloads).stream().filter(r -> r.tag().equals(tag)).findFirst().orElseThrow();
  }

  private static List<ReleaseInfo> releasesIn(Downloads downloads) {
    try {
      return Catalogue.releases(downloads);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> fileNames(Path folder) throws Exception {
    try (var files = Files.walk(folder)) {
      return files.map(p -> folder.relativize(p).toString()).sorted().toList();
    }
  }

  /** What {@code ./stmzoo ARGS} prints on standard output; it must succeed. */
  private static String cli(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run(args);
    } finally {
      System.setOut(original);
    }
    assertThat(code).as(String.join(" ", args)).isZero();
    return captured.toString(StandardCharsets.UTF_8);
  }
}
