package org.stmzoo.zoo.analysis;

/** Per-image metrics on a row of logits. */
final class Logits {
  private Logits() {}

  static int argmax(float[] logits) {
    int best = 0;
    for (int c = 1; c < logits.length; c++) {
      if (logits[c] > logits[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * How many classes score strictly higher than {@code label}, or tie with it at a lower index (the order
   * {@code topk} returns): the label is in the top k when this is below k.
   */
  static int rank(float[] logits, int label) {
    int rank = 0;
    float v = logits[label];
    for (int c = 0; c < logits.length; c++) {
      if (logits[c] > v || (logits[c] == v && c < label)) {
        rank++;
      }
    }
    return rank;
  }

  /** timm's SoftTargetCrossEntropy for one image: {@code -sum softmax(target) * log_softmax(logits)}. */
  static double softTargetCrossEntropy(float[] logits, float[] targetLogits) {
    double[] logP = logSoftmax(logits);
    double[] logQ = logSoftmax(targetLogits);
    double loss = 0;
    for (int c = 0; c < logits.length; c++) {
      loss -= Math.exp(logQ[c]) * logP[c];
    }
    return loss;
  }

  static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int c = 0; c < logits.length; c++) {
      out[c] = logits[c] - log;
    }
    return out;
  }
}
