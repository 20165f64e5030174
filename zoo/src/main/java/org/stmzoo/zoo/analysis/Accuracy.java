package org.stmzoo.zoo.analysis;

/**
 * Running top-1 and top-5 counts of rows of logits against their labels ({@link Logits#rank}); an image without a
 * label ({@link AnalysisImages#NO_LABEL}) is not counted, and a label beyond the model's classes is refused.
 */
final class Accuracy {
  private final int classes;
  private int labelled;
  private long top1;
  private long top5;

  Accuracy(int classes) {
    this.classes = classes;
  }

  /** Counts each row of {@code logits} against the label at its index. */
  void add(float[][] logits, int[] labels) {
    for (int i = 0; i < logits.length; i++) {
      if (labels[i] == AnalysisImages.NO_LABEL) {
        continue;
      }
      if (labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " is beyond the model's " + classes + " classes");
      }
      labelled++;
      int rank = Logits.rank(logits[i], labels[i]);
      top1 += rank < 1 ? 1 : 0;
      top5 += rank < 5 ? 1 : 0;
    }
  }

  /** Top-1 in %; NaN when no image had a label. */
  double top1() {
    return labelled == 0 ? Double.NaN : 100.0 * top1 / labelled;
  }

  /** Top-5 in %; NaN when no image had a label. */
  double top5() {
    return labelled == 0 ? Double.NaN : 100.0 * top5 / labelled;
  }
}
