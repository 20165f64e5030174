package org.stmzoo.zoo.pretrained;


import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stmzoo.layers.core.JsonErrors;
import org.stmzoo.layers.core.Preprocessing;

/**
 * Published weights, one entry per tag. Each model family declares its own entries (see
 * {@code org.stmzoo.zoo.registry.ModelRegistry#pretrained()}); URLs are the upstream release assets, size and
 * SHA-256 are recorded only where published (others are pinned on first use, see {@link WeightLock}).
 * {@code STMZOO_MANIFEST} names a further manifest file in JSON (a private release, a local copy), whose entries
 * extend or replace the shipped ones: {@code {"formatVersion": 1, "entries": [ENTRY, ...]}}, each entry with the
 * fields of {@link Entry} (docs/export.md). Fields it does not know are refused, not skipped (a misspelt
 * {@code "sha_256"} would otherwise leave a published checksum unchecked), except an entry's free-text
 * {@code "comment"}.
 */
public final class PretrainedManifest {
  /**
   * @param urls where upstream publishes the file, tried in order (alternatives hold the same bytes)
   * @param size bytes, null if unknown
   * @param sha256 lower-case hex, null if not published (the file is then pinned on first use)
   * @param sha256Prefix the leading hex digits of the SHA-256 that the file name carries (torch.hub's
   *     {@code check_hash} convention, {@code name-<hex>.pth}), null if none
   * @param top1 the published ImageNet-1k top-1 accuracy, percent
   * @param licence the licence the weights are published under (SPDX id where there is one)
   * @param cropPct, mean, std, interpolation the evaluation preprocessing the accuracy was measured with: crop in
   *     (0, 1], three means and three positive standard deviations (RGB)
   */
  @JsonIgnoreProperties({"comment"})
  public record Entry(String tag, String model, List<String> urls, String file, Long size, String sha256,
      String sha256Prefix, @JsonProperty(required = true) double top1, String source, String licence, float[] mean,
      float[] std, @JsonProperty(required = true) float cropPct, String interpolation) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
    /** torch.hub's {@code HASH_REGEX}: the hex digits between a dash and the extension's dot. */
    private static final Pattern HASH_IN_NAME = Pattern.compile("-([a-f0-9]*)\\.");

    public Entry {
      if (tag == null || model == null || urls == null || file == null || mean == null || std == null
          || interpolation == null) {
        throw new IllegalArgumentException("pretrained entry '" + tag
            + "' lacks one of tag, model, urls, file, mean, std, interpolation");
      }
      if (file.isEmpty() || !Path.of(file).getFileName().toString().equals(file)) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': file must be a plain name, got '" + file
            + "'");
      }
      // "." and ".." would name the cache folder or its parent; the others are the download's own side files
      if (file.equals(".") || file.equals("..") || file.endsWith(".part") || file.endsWith(".lock")
          || file.endsWith(".source") || file.contains(".rejected-")) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': file must be a plain name, not '" + file
            + "' (not . or .., nor ending in .part, .lock or .source, nor holding .rejected-, which the download"
            + " cache uses)");
      }
      if (sha256 != null && (sha256.length() != 64 || !HEX.matcher(sha256).matches())) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': sha256 must be 64 lower-case hex digits");
      }
      if (sha256Prefix != null && (sha256Prefix.isEmpty() || sha256Prefix.length() > 64
          || !HEX.matcher(sha256Prefix).matches())) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': sha256Prefix must be lower-case hex");
      }
      if (size != null && size <= 0) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': size must be positive");
      }
      if (urls.isEmpty() || urls.stream().anyMatch(u -> u == null || u.isBlank())) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': urls must hold at least one URL and no"
            + " empty ones, got " + urls);
      }
      if (!(top1 > 0 && top1 <= 100)) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': top1 must be a percentage in (0, 100], got "
            + top1);
      }
      if (mean.length != 3 || std.length != 3) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': mean and std must hold 3 values (RGB), got "
            + mean.length + " and " + std.length);
      }
      try {
        new Preprocessing(mean, std, cropPct, interpolation); // its own checks: crop, finite means, positive stds
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pretrained entry '" + tag + "': " + e.getMessage(), e);
      }
      urls = List.copyOf(urls);
    }

    /**
     * A release whose size and checksum are not published, evaluated with {@code preprocessing}; its file name
     * is the first URL's last path segment.
     */
    public static Entry release(String tag, String model, List<String> urls, double top1, String source,
        String licence, Preprocessing preprocessing) {
      String first = urls.get(0);
      String file = first.substring(first.lastIndexOf('/') + 1);
      return new Entry(tag, model, urls, file, null, null, null, top1, source, licence, preprocessing.mean(),
          preprocessing.std(), preprocessing.cropPct(), preprocessing.interpolation());
    }

    /** This entry with the SHA-256 prefix its file name carries, verified as torch.hub's check_hash does. */
    public Entry withHashPrefixFromFileName() {
      Matcher m = HASH_IN_NAME.matcher(file);
      if (!m.find() || m.group(1).isEmpty()) {
        throw new IllegalArgumentException(file + " carries no SHA-256 prefix (name-<hex>.ext)");
      }
      return new Entry(tag, model, urls, file, size, sha256, m.group(1), top1, source, licence, mean, std, cropPct,
          interpolation);
    }

    /** Whether the manifest itself publishes a complete SHA-256. */
    public boolean verified() {
      return sha256 != null;
    }

    /** The preprocessing the published accuracy was measured with, which an export of these weights applies. */
    public Preprocessing preprocessing() {
      return new Preprocessing(mean, std, cropPct, interpolation);
    }
  }

  /** The version of the JSON format {@link #parse} reads. */
  public static final int FORMAT_VERSION = 1;

  private record Document(@JsonProperty(required = true) int formatVersion, List<Entry> entries) {}

  private static final ObjectMapper JSON = JsonMapper.builder()
      // a misspelt or foreign field ("sha_256", timm's "crop_pct") must not quietly drop what it was meant to set
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // "top1": null would otherwise read as 0
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      // "sha256": "<hex>", "sha256": null must not quietly become trust on first use
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** The variable a further manifest file is named by. */
  public static final String MANIFEST_VARIABLE = "STMZOO_MANIFEST";

  private PretrainedManifest(List<Entry> list) {
    for (Entry e : list) {
      if (entries.put(e.tag(), e) != null) {
        throw new IllegalStateException("duplicate pretrained tag " + e.tag());
      }
    }
  }

  /**
   * @throws IOException when the text is not a manifest (malformed JSON, wrong field types, an entry that is null or
   *     that repeats another's tag)
   */
  public static PretrainedManifest parse(Reader json) throws IOException {
    Document doc;
    try {
      doc = JSON.readValue(json, Document.class);
    } catch (JsonProcessingException e) {
      // one line: Jackson's full message holds the source excerpt, Java class names and the reference chain
      throw new IOException(JsonErrors.describe(e), e);
    }
    if (doc == null) {
      throw new IOException("not a pretrained manifest: no entries");
    }
    if (doc.formatVersion() != FORMAT_VERSION) {
      throw new IOException("formatVersion " + doc.formatVersion() + " is not " + FORMAT_VERSION
          + ", the pretrained manifest format this stmzoo reads");
    }
    if (doc.entries() == null) {
      throw new IOException("not a pretrained manifest: no entries");
    }
    Map<String, Integer> tags = new HashMap<>();
    for (int i = 0; i < doc.entries().size(); i++) {
      Entry e = doc.entries().get(i);
      if (e == null) {
        throw new IOException("entries[" + i + "] is null, not an entry");
      }
      Integer first = tags.putIfAbsent(e.tag(), i);
      if (first != null) {
        throw new IOException("entries[" + first + "] and entries[" + i + "] have the same tag " + e.tag());
      }
    }
    return new PretrainedManifest(doc.entries());
  }

  /**
   * This manifest extended by the file {@value #MANIFEST_VARIABLE} names in {@code env}, if set; on a tag both
   * have, the file's entry wins.
   */
  public PretrainedManifest extendedFrom(Map<String, String> env) {
    String extra = env.get(MANIFEST_VARIABLE);
    if (extra == null || extra.isBlank()) {
      return this;
    }
    Map<String, Entry> merged = new LinkedHashMap<>(entries);
    Path file = Path.of(extra);
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      parse(reader).entries.forEach(merged::put);
    } catch (IOException e) {
      throw new IllegalArgumentException(MANIFEST_VARIABLE + "=" + file + " is not a readable pretrained manifest: "
          + e.getMessage(), e);
    }
    return new PretrainedManifest(List.copyOf(merged.values()));
  }

  public static PretrainedManifest of(List<Entry> entries) {
    return new PretrainedManifest(entries);
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  public Entry get(String tag) {
    Entry e = entries.get(tag);
    if (e == null) {
      throw new IllegalArgumentException("unknown pretrained tag '" + tag + "' (see ./stmzoo pretrained list; from Java, Catalogue.releases())");
    }
    return e;
  }

  /** The entry for {@code model} named {@code tag}, in full ({@code pit-ti.in1k}) or by its suffix ({@code in1k}). */
  public Entry forModel(String model, String tag) {
    Entry e = entries.containsKey(tag) ? entries.get(tag) : entries.get(model + "." + tag);
    if (e == null) {
      List<String> tags = entries.values().stream().filter(x -> x.model().equals(model)).map(Entry::tag).toList();
      throw new IllegalArgumentException("no pretrained weights '" + tag + "' for " + model
          + (tags.isEmpty() ? " (it has none)" : " (it has " + String.join(", ", tags) + ")"));
    }
    if (!e.model().equals(model)) {
      throw new IllegalArgumentException("pretrained " + e.tag() + " holds weights for " + e.model() + ", not "
          + model);
    }
    return e;
  }
}
