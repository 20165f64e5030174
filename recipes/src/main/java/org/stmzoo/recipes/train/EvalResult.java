package org.stmzoo.recipes.train;

import java.util.List;

/**
 * Evaluation of a classifier on a labelled set.
 *
 * @param top1 percent of images whose highest logit is the label
 * @param top5 percent whose label is among the five highest (all classes if fewer than five)
 * @param loss mean cross-entropy against the labels
 * @param confusion {@code confusion[label][prediction]} counts
 */
public record EvalResult(double top1, double top5, double loss, long images, int[][] confusion,
    List<String> classNames) {

  /** Per-class accuracy in percent (NaN for a class without images). */
  public double[] perClassAccuracy() {
    double[] out = new double[confusion.length];
    for (int c = 0; c < confusion.length; c++) {
      long total = 0;
      for (int p = 0; p < confusion[c].length; p++) {
        total += confusion[c][p];
      }
      out[c] = total == 0 ? Double.NaN : 100.0 * confusion[c][c] / total;
    }
    return out;
  }
}
