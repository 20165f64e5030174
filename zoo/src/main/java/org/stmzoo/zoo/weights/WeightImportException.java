package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint that does not fit a model: every missing, extra or mis-shaped tensor is counted and the first ones
 * of each kind named, so a checkpoint of the wrong family shows both what is missing and what is left over. The
 * message is one line, entries apart by "; " and kinds by ". ", within {@value #LISTED_CHARACTERS} characters of
 * entries: the CLI prints one line and cut a longer one mid-name, the entries run together.
 */
public final class WeightImportException extends IllegalArgumentException {
  static final int LISTED_PER_KIND = 10;
  /** Characters of entries the message lists, shared by the kinds present; each kind names at least one. */
  static final int LISTED_CHARACTERS = 480;
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
    int budget = LISTED_CHARACTERS / Math.max(1, present.size());
    List<String> kinds = new ArrayList<>();
    present.forEach((kind, list) -> {
      List<String> shown = new ArrayList<>();
      int length = 0;
      for (String problem : list) {
        if (shown.size() == LISTED_PER_KIND || (!shown.isEmpty() && length + problem.length() > budget)) {
          break;
        }
        shown.add(problem);
        length += problem.length() + 2;
      }
      if (shown.size() < list.size()) {
        shown.add("... and " + (list.size() - shown.size()) + " more");
      }
      kinds.add(list.size() + " " + kind + ": " + String.join("; ", shown));
    });
    return "the checkpoint does not fit " + model + ": " + String.join(". ", kinds);
  }
}
