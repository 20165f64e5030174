package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.pretrained.LoopbackMirror;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.pretrained.WeightLock;
import org.stmzoo.zoo.registry.ModelRegistry;

/** {@code pretrained list}, {@code download --sha256} through a mirror on loopback, and the demo data spec. */
class PretrainedCommandsTest {
  @TempDir Path home;

  @Test
  void theListShowsEveryReleaseWithSizeChecksumStateAndLicenceAndTheVariantsWithout() throws Exception {
    new WeightCache(home, false, null).lock().put("unified_convnext_micro.pth", new WeightLock.Pin(17_900_000,
        "ab".repeat(32), "u-convnext-micro.in1k", "https://example/u.pth", "2026-12-01T20:00:00Z", "first download"));
    String out = CommandRunner.run(new PretrainedCommand(Map.of("STMZOO_HOME", home.toString())), "list");
    assertThat(ModelRegistry.pretrained().entries()).allSatisfy(e -> assertThat(out).contains(e.tag()));
    assertThat(line(out, "u-convnext-micro.in1k")).contains("75.1", "17.1 MiB", "pinned abababababab", "MIT", "no");
    assertThat(line(out, "deit-tiny.in1k")).contains("72.2", "?", "prefix a1311bcf", "Apache-2.0");
    assertThat(line(out, "pit-b.in1k")).contains("unverified", "Apache-2.0");
    assertThat(out).contains("no published weights:");
    assertThat(line(out, "  shiftvit-r4-base")).contains("microsoft/SPACH");
  }

  private static String line(String out, String start) {
    return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
  }

  @Test
  void downloadPinsThenAcceptsAKnownChecksum() throws Exception {
    byte[] weights = "not really weights, but bytes".getBytes();
    try (LoopbackMirror mirror = LoopbackMirror.serving("pit_ti_730.pth", weights)) {
      Map<String, String> env = Map.of("STMZOO_HOME", home.toString(), "STMZOO_MIRROR", mirror.url());
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
      String out = CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k");
      assertThat(out).contains("pit_ti_730.pth", "pinned on");
      assertThat(CommandRunner.run(new PretrainedCommand(env), "list")).contains("pinned " + sha.substring(0, 12));

      Files.delete(home.resolve("weights/pit_ti_730.pth"));
      assertThat(CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k", "--sha256", sha))
          .contains("SHA-256 given with --sha256");
      assertThatThrownBy(() -> CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k", "--sha256", "00".repeat(32)))
          .hasMessageContaining("not the SHA-256 given with --sha256").hasMessageContaining("the file was kept");
      assertThat(home.resolve("weights/pit_ti_730.pth")).hasBinaryContent(weights);
    }
  }

  /** A first download of a release without a published SHA-256 pins it: it was not "matched" with that pin. */
  @Test
  void aFirstDownloadSaysItPinnedAndTheNextOneThatItMatchesThePin() throws Exception {
    byte[] weights = "bytes without a published checksum".getBytes();
    try (LoopbackMirror mirror = LoopbackMirror.serving("pit_ti_730.pth", weights)) {
      Map<String, String> env = Map.of("STMZOO_HOME", home.toString(), "STMZOO_MIRROR", mirror.url());
      Path pins = new WeightCache(home, false, null).lock().file();
      String first = CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k");
      assertThat(first).startsWith(home.resolve("weights/pit_ti_730.pth")
          + " (no published SHA-256: SHA-256 pinned on ").endsWith(" in " + pins + " by this download)\n");
      String second = CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k");
      assertThat(second).startsWith(home.resolve("weights/pit_ti_730.pth") + " (SHA-256 matches the SHA-256 pinned on ")
          .endsWith(" in " + pins + ")\n");
    }
  }

  @Test
  void offlineTheCommandACachedFileMismatchSuggestsAcceptsIt() throws Exception {
    byte[] pinned = "the bytes first downloaded".getBytes();
    byte[] republished = "the bytes upstream published since".getBytes();
    String pinnedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pinned));
    new WeightCache(home, true, null).lock().put("pit_ti_730.pth", new WeightLock.Pin(pinned.length, pinnedSha,
        "pit-ti.in1k", "https://example/pit_ti_730.pth", "2026-12-01T20:00:00Z", "first download"));
    Files.createDirectories(home.resolve("weights"));
    Files.write(home.resolve("weights/pit_ti_730.pth"), republished);
    Map<String, String> env = Map.of("STMZOO_HOME", home.toString(), "STMZOO_OFFLINE", "1");

    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
        () -> CommandRunner.run(new DownloadCommand(env), "pit-ti.in1k"));
    java.util.regex.Matcher suggested = java.util.regex.Pattern
        .compile("accept it with \\./stmzoo download (\\S+) --sha256 ([0-9a-f]{64})").matcher(refused.getMessage());
    assertThat(suggested.find()).as(refused.getMessage()).isTrue();
    assertThat(CommandRunner.run(new DownloadCommand(env), suggested.group(1), "--sha256", suggested.group(2)))
        .contains("SHA-256 given with --sha256");
    assertThat(home.resolve("weights/pit_ti_730.pth")).hasBinaryContent(republished);
  }

  @Test
  void theEmbeddedDemoSetIsADataSpec() throws Exception {
    ImageDataset train = DataSpec.trainingSet("fashion-mnist-demo");
    ImageDataset test = DataSpec.evaluationSet("fashion-mnist-demo");
    assertThat(train.size()).isEqualTo(5000);
    assertThat(test.size()).isEqualTo(1000);
    assertThat(train.classNames()).hasSize(10).contains("Ankle boot");
  }
}
