package org.stmzoo.recipes.train;

import java.util.function.IntFunction;

/**
 * The class labels training and evaluation read: indices in {@code [0, numClasses)}. Nothing downstream refuses
 * one outside: training's one-hot encodes it as an all-off row (a target summing to the smoothing, not 1), and
 * evaluation would compare another image's logit with the prediction's.
 */
final class ClassLabels {
  private ClassLabels() {}

  /**
   * Refuses the first of {@code labels[0..count)} outside the classes.
   *
   * @param describe label i as the message names it ({@code "label 4 of image 2"}); the message goes on with
   *     {@code " is outside [0, numClasses)"}
   */
  static void checkRange(int[] labels, int count, int numClasses, IntFunction<String> describe) {
    for (int i = 0; i < count; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(describe.apply(i) + " is outside [0, " + numClasses + ")");
      }
    }
  }
}
