package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * How published weights are found and fetched: the manifest and cache the variables in {@code env} configure
 * ({@code STMZOO_HOME}, {@code STMZOO_OFFLINE}, {@code STMZOO_MIRROR}, {@code STMZOO_MANIFEST}), with
 * {@code offline} and {@code mirror} on top.
 *
 * @param mirror a base URL serving the files by name, or null for the environment's choice
 */
public record Downloads(Map<String, String> env, boolean offline, String mirror) {
  /** A release of the manifest and the registered model it holds weights for. */
  public record Release(PretrainedManifest.Entry entry, ModelEntry model) {}

  public Downloads {
    env = Map.copyOf(env);
  }

  /** As the process environment configures them. */
  public static Downloads fromEnvironment() {
    return new Downloads(System.getenv(), false, null);
  }

  public Downloads withOffline(boolean value) {
    return new Downloads(env, value, mirror);
  }

  public Downloads withMirror(String url) {
    return new Downloads(env, offline, url);
  }

  /** The cache the environment configures, with {@code offline} and {@code mirror} on top. */
  public WeightCache cache() {
    WeightCache cache = WeightCache.fromEnvironment(env);
    if (offline) {
      cache = cache.withOffline(true);
    }
    if (mirror != null) {
      cache = cache.withMirror(mirror);
    }
    return cache;
  }

  /**
   * The release {@code tag} names: a full tag of the manifest, or with {@code model} (non-null) that model's
   * release with this suffix (e.g. {@code in1k}).
   */
  public Release release(String model, String tag) {
    PretrainedManifest manifest = ModelRegistry.pretrained(env);
    PretrainedManifest.Entry release = model != null
        ? manifest.forModel(ModelRegistry.get(model).name(), tag) : manifest.get(tag);
    return new Release(release, ModelRegistry.get(release.model()));
  }

  /** The release's file from the cache, downloaded first unless it is there. */
  public Path fetch(Release release, PrintStream progress) throws IOException {
    return new Downloader(cache(), progress).fetch(release.entry());
  }
}
