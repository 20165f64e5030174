package org.stmzoo.zoo.weights;

import java.util.Map;
import java.util.function.Supplier;

/** The key map of each model family that can import reference weights, by family name. */
public final class KeyMaps {
  private static final Map<String, Supplier<KeyMap>> BY_FAMILY = Map.of(
      "unified-convnext", UnifiedKeyMaps::convnext,
      "pit", PitKeyMap::pit);

  private KeyMaps() {}

  public static KeyMap forFamily(String family) {
    Supplier<KeyMap> map = BY_FAMILY.get(family);
    if (map == null) {
      throw new IllegalArgumentException("importing reference weights is not supported for family '" + family
          + "' yet (supported: " + String.join(", ", new java.util.TreeSet<>(BY_FAMILY.keySet())) + ")");
    }
    return map.get();
  }
}
