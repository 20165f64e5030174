package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint that does not fit a model: every missing, extra or mis-shaped tensor is named. The message
 * lists up to {@value #LISTED_PER_KIND} of each kind, so a checkpoint of the wrong family shows both what is
 * missing and what is left over.
 */
public final class WeightImportException extends IllegalArgumentException {
  static final int LISTED_PER_KIND = 10;
  private final List<String> problems;

  /** @param problemsByKind e.g. "missing" -> messages, "unexpected" -> messages, in report order */
  public WeightImportException(String model, Map<String, List<String>> problemsByKind) {
    super(message(model, problemsByKind));
    List<String> all = new ArrayList<>();
    problemsByKind.values().forEach(all::addAll);
    this.problems = List.copyOf(all);
  }

  public List<String> problems() {
    return problems;
  }

  private static String message(String model, Map<String, List<String>> byKind) {
    Map<String, List<String>> present = new LinkedHashMap<>(byKind);
    present.values().removeIf(List::isEmpty);
    StringBuilder s = new StringBuilder("the checkpoint does not fit " + model + ":");
    present.forEach((kind, list) -> {
      s.append("\n ").append(list.size()).append(' ').append(kind).append(':');
      list.stream().limit(LISTED_PER_KIND).forEach(p -> s.append("\n  ").append(p));
      if (list.size() > LISTED_PER_KIND) {
        s.append("\n  ... and ").append(list.size() - LISTED_PER_KIND).append(" more");
      }
    });
    return s.toString();
  }
}
