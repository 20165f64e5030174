package org.stmzoo.zoo.pretrained;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where downloads go and how: {@code $STMZOO_HOME} (default {@code ~/.cache/stmzoo}) holds {@code weights/FILE};
 * {@code STMZOO_OFFLINE=1} forbids the network; {@code STMZOO_MIRROR} replaces every origin by
 * {@code MIRROR/FILE}.
 *
 * @param mirror a base URL serving the files by name, or null for the upstream URLs
 */
public record WeightCache(Path home, boolean offline, String mirror) {
  public static WeightCache fromEnvironment(Map<String, String> env) {
    String home = env.get("STMZOO_HOME");
    Path dir = home != null && !home.isBlank() ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".cache", "stmzoo");
    String mirror = env.get("STMZOO_MIRROR");
    return new WeightCache(dir, offline(env.getOrDefault("STMZOO_OFFLINE", "")),
        mirror == null || mirror.isBlank() ? null : mirror);
  }

  /**
   * {@code STMZOO_OFFLINE}'s value as a switch: a value it does not know is an error, not "online" (a machine
   * told {@code STMZOO_OFFLINE=yes} went to the network).
   */
  private static boolean offline(String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "", "0", "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("STMZOO_OFFLINE must be 1 or 0 (or true/false, yes/no, on/off),"
          + " got '" + value + "'");
    };
  }

  public WeightCache withOffline(boolean value) {
    return new WeightCache(home, value, mirror);
  }

  public WeightCache withMirror(String value) {
    return new WeightCache(home, offline, value);
  }

  /** The lock file pinning the checksums of weights that upstream publishes none for. */
  public WeightLock lock() {
    return new WeightLock(home.resolve("weights.lock"));
  }

  public Path fileFor(PretrainedManifest.Entry entry) {
    return home.resolve("weights").resolve(entry.file());
  }
}
