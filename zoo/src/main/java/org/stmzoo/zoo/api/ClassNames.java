package org.stmzoo.zoo.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The check every spec's list of class names passes: each name given, and given once. */
final class ClassNames {
  private ClassNames() {}

  /**
   * {@code names} as an immutable list; a null or repeated name is an {@link IllegalArgumentException} naming
   * {@code field}, where List.copyOf would give a bare NPE and a repeated name two classes no prediction could tell
   * apart.
   */
  static List<String> distinct(String field, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null) {
        throw new IllegalArgumentException(field + "[" + i + "] is null");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(field + " names '" + name + "' twice (again at index " + i + ")");
      }
    }
    return List.copyOf(names);
  }
}
