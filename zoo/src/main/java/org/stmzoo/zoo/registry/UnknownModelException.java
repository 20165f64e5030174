package org.stmzoo.zoo.registry;

import java.util.List;

/** An unknown model name, with the closest registered names as suggestions. */
public final class UnknownModelException extends IllegalArgumentException {
  private final List<String> suggestions;

  public UnknownModelException(String name, List<String> suggestions) {
    super("unknown model '" + name + "'" + (suggestions.isEmpty() ? ""
        : "; did you mean: " + String.join(", ", suggestions) + "?") + " (see ./stmzoo list; from Java, Catalogue.models())");
    this.suggestions = List.copyOf(suggestions);
  }

  public List<String> suggestions() {
    return suggestions;
  }
}
