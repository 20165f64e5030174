package org.stmzoo.zoo.weights;

import java.util.List;

/** A checkpoint that does not fit a model: every missing, extra or mis-shaped tensor is listed by name. */
public final class WeightImportException extends IllegalArgumentException {
  private static final int LISTED = 20;
  private final List<String> problems;

  public WeightImportException(String model, List<String> problems) {
    super("the checkpoint does not fit " + model + " (" + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems.subList(0,
        Math.min(LISTED, problems.size()))) + (problems.size() > LISTED
        ? "\n  ... and " + (problems.size() - LISTED) + " more" : ""));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
