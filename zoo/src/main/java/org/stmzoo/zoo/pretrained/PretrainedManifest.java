package org.stmzoo.zoo.pretrained;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.Preprocessing;

/**
 * Published weights, one entry per tag. Each model family declares its own entries (see
 * {@code org.stmzoo.zoo.registry.ModelRegistry#pretrained()}); URLs are the upstream release assets, size and
 * SHA-256 are recorded only where known (others download unverified). {@code STMZOO_MANIFEST} names a further
 * manifest file in JSON (a private release, a local copy), whose entries extend or replace the shipped ones.
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
      urls = List.copyOf(urls);
    }

    /** An entry whose size and checksum are not published, evaluated with {@code preprocessing}. */
    public static Entry unverified(String tag, String model, List<String> urls, String file, double top1,
        String source, Preprocessing preprocessing) {
      return new Entry(tag, model, urls, file, null, null, top1, source, preprocessing.mean(), preprocessing.std(),
          preprocessing.cropPct(), preprocessing.interpolation());
    }

    public boolean verified() {
      return sha256 != null;
    }

    /** The preprocessing the published accuracy was measured with, which an export of these weights applies. */
    public Preprocessing preprocessing() {
      return new Preprocessing(mean, std, cropPct, interpolation);
    }
  }

  private record Document(int formatVersion, List<Entry> entries) {}

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
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

  /** @throws IOException when the text is not a manifest (malformed JSON, wrong field types) */
  public static PretrainedManifest parse(Reader json) throws IOException {
    Document doc = JSON.readValue(json, Document.class);
    if (doc == null || doc.entries() == null) {
      throw new IOException("not a pretrained manifest: no entries");
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
      throw new IllegalArgumentException("unknown pretrained tag '" + tag + "' (see ./stmzoo pretrained list)");
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
