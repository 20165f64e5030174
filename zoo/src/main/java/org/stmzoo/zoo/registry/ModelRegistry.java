package org.stmzoo.zoo.registry;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.PatternSyntaxException;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.weights.KeyMap;

/**
 * Every model stmzoo knows, by name, and the family each belongs to. Families register themselves through
 * {@link Family} ({@code META-INF/services}); the registry checks that names are unique and that every model
 * says which family holds it.
 */
public final class ModelRegistry {
  private static final Map<String, Family> FAMILIES = new LinkedHashMap<>();
  private static final Map<String, ModelEntry> ENTRIES = new LinkedHashMap<>();

  static {
    for (Family family : ServiceLoader.load(Family.class, ModelRegistry.class.getClassLoader())) {
      if (FAMILIES.put(family.name(), family) != null) {
        throw new IllegalStateException("duplicate model family " + family.name());
      }
      for (ModelEntry e : family.models()) {
        if (!e.family().equals(family.name())) {
          throw new IllegalStateException(e.name() + " says family " + e.family() + " but is registered by "
              + family.name());
        }
        if (ENTRIES.put(e.name(), e) != null) {
          throw new IllegalStateException("duplicate model name " + e.name());
        }
      }
    }
  }

  private ModelRegistry() {}

  public static List<Family> families() {
    return List.copyOf(FAMILIES.values());
  }

  /** The family named {@code name} ({@link ModelEntry#family()}). */
  public static Family family(String name) {
    Family family = FAMILIES.get(name);
    if (family == null) {
      throw new IllegalArgumentException("unknown model family '" + name + "' (families: "
          + String.join(", ", FAMILIES.keySet()) + ")");
    }
    return family;
  }

  /** The key map that imports reference weights into {@code entry}'s variables. */
  public static KeyMap keyMap(ModelEntry entry) {
    return family(entry.family()).keyMap();
  }

  /** The published weights of every family, as shipped. */
  public static PretrainedManifest pretrained() {
    return PretrainedManifest.of(FAMILIES.values().stream().flatMap(f -> f.pretrained().stream()).toList());
  }

  /**
   * {@link #pretrained()} extended by the manifest file {@value PretrainedManifest#MANIFEST_VARIABLE} names in
   * {@code env}, if set.
   */
  public static PretrainedManifest pretrained(Map<String, String> env) {
    return pretrained().extendedFrom(env);
  }

  /** Registered variants without published weights, each with the reason its family gives. */
  public static Map<String, String> unpublished() {
    Map<String, String> reasons = new LinkedHashMap<>();
    FAMILIES.values().forEach(f -> reasons.putAll(f.unpublished()));
    return reasons;
  }

  public static List<ModelEntry> all() {
    return List.copyOf(ENTRIES.values());
  }

  /** The entry named {@code name}, or an {@link UnknownModelException} suggesting the closest names. */
  public static ModelEntry get(String name) {
    ModelEntry entry = ENTRIES.get(name);
    if (entry == null) {
      throw new UnknownModelException(name, closest(name, 3));
    }
    return entry;
  }

  /** Models whose name matches a shell glob such as {@code u-*-micro}; all models for null. */
  public static List<ModelEntry> matching(String glob) {
    if (glob == null) {
      return all();
    }
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("not a glob: '" + glob + "' (" + e.getDescription() + "; e.g. 'u-*-micro')",
          e);
    }
    return ENTRIES.values().stream().filter(e -> matcher.matches(Path.of(e.name()))).toList();
  }

  static List<String> closest(String name, int limit) {
    List<String> names = new ArrayList<>(ENTRIES.keySet());
    names.sort(Comparator.comparingInt((String n) -> distance(name, n)).thenComparing(n -> n));
    int cutoff = Math.max(3, name.length() / 2);
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (out.size() == limit) {
        break;
      }
      if (distance(name, n) <= cutoff || n.contains(name) || name.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
