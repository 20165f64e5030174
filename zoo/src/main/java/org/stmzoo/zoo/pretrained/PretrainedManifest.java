package org.stmzoo.zoo.pretrained;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published weights stmzoo knows, one entry per tag, from {@code manifest.json} beside this class. URLs are
 * the upstream release assets; size and SHA-256 are recorded only where known (others download unverified).
 */
public final class PretrainedManifest {
  /**
   * @param urls where upstream publishes the file, tried in order
   * @param size bytes, null if unknown
   * @param sha256 lower-case hex, null if unknown (the download is then unverified)
   * @param top1 the published ImageNet-1k top-1 accuracy, percent
   * @param cropPct, mean, std, interpolation the evaluation preprocessing the accuracy was measured with
   */
  public record Entry(String tag, String model, List<String> urls, String file, Long size, String sha256,
      double top1, String source, float[] mean, float[] std, float cropPct, String interpolation) {
    public boolean verified() {
      return sha256 != null;
    }
  }

  private record Document(int formatVersion, List<Entry> entries) {}

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private PretrainedManifest(List<Entry> list) {
    for (Entry e : list) {
      if (entries.put(e.tag(), e) != null) {
        throw new IllegalStateException("duplicate pretrained tag " + e.tag());
      }
    }
  }

  /** The manifest shipped with stmzoo. */
  public static PretrainedManifest builtIn() {
    try (InputStream in = PretrainedManifest.class.getResourceAsStream("manifest.json")) {
      if (in == null) {
        throw new IllegalStateException("manifest.json is missing from the stmzoo jar");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws IOException when the text is not a manifest (malformed JSON, wrong field types) */
  public static PretrainedManifest parse(Reader json) throws IOException {
    Document doc = JSON.readValue(json, Document.class);
    if (doc == null || doc.entries() == null) {
      throw new IOException("not a pretrained manifest: no entries");
    }
    return new PretrainedManifest(doc.entries());
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
      throw new IllegalArgumentException("unknown pretrained tag '" + tag + "' (see ./stmzoo pretrained list)");
    }
    return e;
  }
}
