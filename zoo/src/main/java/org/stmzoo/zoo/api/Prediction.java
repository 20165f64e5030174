package org.stmzoo.zoo.api;

import java.util.ArrayList;
import java.util.List;

/** One of an image's top classes: its index, its name and its softmax probability. */
public record Prediction(int index, String label, float probability) {
  /** The {@code k} most probable classes of one image's logits, best first (ties: lower index first). */
  public static List<Prediction> top(float[] logits, List<String> labels, int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < logits.length; i++) {
      order.add(i);
    }
    order.sort((a, b) -> a.equals(b) ? 0 : Float.compare(logits[b], logits[a]) != 0
        ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
    List<Prediction> out = new ArrayList<>();
    for (int i : order.subList(0, Math.min(k, order.size()))) {
      out.add(new Prediction(i, labels.get(i), (float) (p[i] / sum)));
    }
    return out;
  }
}
