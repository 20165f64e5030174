package org.stmzoo.zoo.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A manifest file (STMZOO_MANIFEST) is read strictly: what it sets must be what it says. */
class PretrainedManifestTest {
  private static final String SHA256 = "ab".repeat(32);

  /** One entry with every field set, as docs/checkpoints.md shows; {@code fields} replace or add fields. */
  private static String manifest(String version, String fields) {
    return "{" + version + "\"entries\": [{\"tag\": \"pit-ti.mine\", \"model\": \"pit-ti\","
        + " \"urls\": [\"https://example.org/pit_ti_mine.pth\"], \"file\": \"pit_ti_mine.pth\", \"size\": 19,"
        + " \"sha256\": \"" + SHA256 + "\", \"top1\": 73.0, \"source\": \"our run 12\", \"licence\": \"Apache-2.0\","
        + " \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225], \"interpolation\": \"bicubic\""
        + fields + "}]}";
  }

  private static String entry(String fields) {
    return manifest("\"formatVersion\": 1, ", fields);
  }

  private static PretrainedManifest parse(String json) throws IOException {
    return PretrainedManifest.parse(new StringReader(json));
  }

  @Test
  void readsEveryFieldAndAComment() throws IOException {
    PretrainedManifest.Entry e =
        parse(entry(", \"cropPct\": 0.9, \"comment\": \"fine-tuned from pit-ti.in1k\"")).get("pit-ti.mine");
    assertThat(e.urls()).containsExactly("https://example.org/pit_ti_mine.pth");
    assertThat(e.size()).isEqualTo(19L);
    assertThat(e.sha256()).isEqualTo(SHA256);
    assertThat(e.verified()).isTrue();
    assertThat(e.top1()).isEqualTo(73.0);
    assertThat(e.preprocessing().cropPct()).isEqualTo(0.9f);
    assertThat(e.preprocessing().std()).containsExactly(0.229f, 0.224f, 0.225f);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      // a misspelt checksum would leave the file trusted on first use, timm's name would leave the crop at 0
      "'\"cropPct\": 0.9, \"sha_256\": \"ab\"'|Unrecognized field \"sha_256\"",
      "'\"cropPct\": 0.9, \"crop_pct\": 0.95'|Unrecognized field \"crop_pct\"",
      // Jackson checks the required fields first: the entry has no cropPct
      "'\"crop_pct\": 0.9'|Missing required creator property 'cropPct'",
      "'\"cropPct\": 0.9, \"Top1\": 70'|Unrecognized field \"Top1\"",
      "'\"top1\": 70'|Duplicate field 'top1'",
  })
  void refusesFieldsItDoesNotKnow(String fields, String message) {
    assertThatThrownBy(() -> parse(entry(", " + fields))).isInstanceOf(IOException.class)
        .hasMessageContaining(message).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void refusesAnUnknownFieldBesideTheEntries() {
    assertThatThrownBy(() -> parse(manifest("\"formatVersion\": 1, \"version\": 2, ", ", \"cropPct\": 0.9")))
        .isInstanceOf(IOException.class).hasMessageContaining("Unrecognized field \"version\"");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "'\"formatVersion\": 2, '|formatVersion 2 is not 1",
      "'\"formatVersion\": 0, '|formatVersion 0 is not 1",
      "''|Missing required creator property 'formatVersion'",
  })
  void readsOnlyFormatVersion1(String version, String message) {
    assertThatThrownBy(() -> parse(manifest(version, ", \"cropPct\": 0.9"))).isInstanceOf(IOException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "''|Missing required creator property 'cropPct'",
      "', \"cropPct\": null'|cropPct",
      "', \"cropPct\": 0'|cropPct must be in (0, 1], got 0.0",
      "', \"cropPct\": 1.5'|cropPct must be in (0, 1], got 1.5",
      "', \"cropPct\": -0.9'|cropPct must be in (0, 1], got -0.9",
  })
  void refusesACropOutsideZeroToOne(String fields, String message) {
    assertThatThrownBy(() -> parse(entry(fields))).isInstanceOf(IOException.class).hasMessageContaining(message);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "0|top1 must be a percentage in (0, 100], got 0.0",
      "100.5|top1 must be a percentage in (0, 100], got 100.5",
      "-3|top1 must be a percentage in (0, 100], got -3.0",
      "null|top1",
  })
  void refusesATop1ThatIsNoPercentage(String top1, String message) {
    String json = entry(", \"cropPct\": 0.9").replace("\"top1\": 73.0", "\"top1\": " + top1);
    assertThatThrownBy(() -> parse(json)).isInstanceOf(IOException.class).hasMessageContaining(message);
  }

  @Test
  void refusesAMissingTop1() {
    String json = entry(", \"cropPct\": 0.9").replace("\"top1\": 73.0, ", "");
    assertThatThrownBy(() -> parse(json)).isInstanceOf(IOException.class)
        .hasMessageContaining("Missing required creator property 'top1'");
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "'\"mean\": [0.485, 0.456, 0.406]'|'\"mean\": [0.5]'|mean and std must hold 3 values (RGB), got 1 and 3",
      "'\"std\": [0.229, 0.224, 0.225]'|'\"std\": [0.2, 0.2, 0.2, 0.2]'|got 3 and 4",
      "'\"std\": [0.229, 0.224, 0.225]'|'\"std\": [0.229, 0, 0.225]'|std[1] must be > 0 and finite, got 0.0",
      "'\"std\": [0.229, 0.224, 0.225]'|'\"std\": [0.229, 0.224, -0.225]'|std[2] must be > 0 and finite, got -0.225",
      "'\"urls\": [\"https://example.org/pit_ti_mine.pth\"]'|'\"urls\": []'|urls must hold at least one URL",
      "'\"urls\": [\"https://example.org/pit_ti_mine.pth\"]'|'\"urls\": [\" \"]'|urls must hold at least one URL",
  })
  void refusesPreprocessingWithoutThreeChannelsAndEntriesWithoutAUrl(String field, String replacement,
      String message) {
    String json = entry(", \"cropPct\": 0.9");
    assertThat(json).contains(field);
    assertThatThrownBy(() -> parse(json.replace(field, replacement))).isInstanceOf(IOException.class)
        .hasMessageContaining("pretrained entry 'pit-ti.mine': ").hasMessageContaining(message);
  }

  @Test
  void refusesANullEntryInOneLineNamingTheFile(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> parse("{\"formatVersion\": 1, \"entries\": [null]}")).isInstanceOf(IOException.class)
        .hasMessage("entries[0] is null, not an entry");
    Path file = dir.resolve("extra.json");
    Files.writeString(file, entry(", \"cropPct\": 0.9").replace("}]}", "}, null]}"));
    assertThatThrownBy(() -> PretrainedManifest.of(List.of()).extendedFrom(Map.of("STMZOO_MANIFEST", file.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("STMZOO_MANIFEST=" + file + " is not a readable pretrained manifest: entries[1] is null, not an"
            + " entry");
  }

  @Test
  void refusesATagTwiceInOneLineNamingTheFile(@TempDir Path dir) throws IOException {
    String one = entry(", \"cropPct\": 0.9");
    String entryObject = one.substring(one.indexOf('[') + 1, one.lastIndexOf(']'));
    Path file = dir.resolve("extra.json");
    Files.writeString(file, one.replace(entryObject, entryObject + ", " + entryObject));
    assertThatThrownBy(() -> PretrainedManifest.of(List.of()).extendedFrom(Map.of("STMZOO_MANIFEST", file.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("STMZOO_MANIFEST=" + file + " is not a readable pretrained manifest: entries[0] and entries[1]"
            + " have the same tag pit-ti.mine");
  }
}
