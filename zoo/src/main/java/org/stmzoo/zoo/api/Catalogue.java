package org.stmzoo.zoo.api;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.pretrained.WeightLock;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * What the zoo holds: the registered models ({@code ./stmzoo list}, {@code ./stmzoo describe}) and the published
 * weights for them ({@code ./stmzoo pretrained list}).
 *
 * <pre>{@code
 * ModelInfo info = Catalogue.model("u-convnext-micro");
 * ModelMeasurement at64 = info.measure(info.defaultShape().withImageSize(64).withNumClasses(10));
 * System.out.println(at64.parameters() + " parameters, " + at64.gmacs() + " GMACs");
 * }</pre>
 */
public final class Catalogue {
  private Catalogue() {}

  /** Every registered model, in the registry's order (by family). */
  public static List<ModelInfo> models() {
    return ModelRegistry.all().stream().map(ModelInfo::of).toList();
  }

  /** The registered models whose name matches a shell glob such as {@code u-*-micro}; empty when none does. */
  public static List<ModelInfo> models(String glob) {
    Objects.requireNonNull(glob, "glob");
    return ModelRegistry.matching(glob).stream().map(ModelInfo::of).toList();
  }

  /**
   * The model registered as {@code name}; an unknown name is an {@link IllegalArgumentException} suggesting the
   * closest names.
   */
  public static ModelInfo model(String name) {
    Objects.requireNonNull(name, "name");
    return ModelInfo.of(ModelRegistry.get(name));
  }

  /** The published weights and their state in the cache of the process environment ({@code STMZOO_HOME}). */
  public static List<ReleaseInfo> releases() throws IOException {
    return releases(Downloads.fromEnvironment());
  }

  /**
   * The published weights (with the releases of {@code downloads}' {@code STMZOO_MANIFEST}, if set) and their state
   * in {@code downloads}' cache, in the manifest's order.
   */
  public static List<ReleaseInfo> releases(Downloads downloads) throws IOException {
    Objects.requireNonNull(downloads, "downloads");
    WeightCache cache = downloads.cache();
    Map<String, WeightLock.Pin> pins = cache.lock().all();
    return ModelRegistry.pretrained(downloads.env()).entries().stream()
        .map(e -> ReleaseInfo.of(e, cache, pins.get(e.file()))).toList();
  }

  /** The registered models without published weights, each with the reason (a model name to a sentence). */
  public static Map<String, String> unpublished() {
    return Collections.unmodifiableMap(ModelRegistry.unpublished()); // the registry's order, kept
  }
}
