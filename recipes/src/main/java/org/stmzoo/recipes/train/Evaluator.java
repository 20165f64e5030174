package org.stmzoo.recipes.train;

import java.util.Iterator;
import java.util.List;
import org.stmzoo.datasets.pipeline.Batch;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Runs the inference forward over a loader and scores top-1/top-5, cross-entropy and the confusion matrix. */
public final class Evaluator {
  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> logits;
  private final int numClasses;

  public Evaluator(Placeholder<TFloat32> images, Operand<TFloat32> logits, int numClasses) {
    this.images = images;
    this.logits = logits;
    this.numClasses = numClasses;
  }

  /** {@link #evaluate(Session, Iterator, List)} over one pass of {@code loader} in its order. */
  public EvalResult evaluate(Session session, BatchLoader loader, List<String> classNames) {
    return evaluate(session, loader.epoch(0, 0), classNames);
  }

  /**
   * Scores every image of {@code batches}.
   *
   * @throws IllegalArgumentException if a label is outside {@code [0, numClasses)}
   * @throws IllegalStateException if the batches hold no image, or the model gives a non-finite logit (NaN or
   *     infinite) for an image: such a row has no prediction (every comparison with NaN is false, so it would
   *     otherwise count as a top-5 hit, and a top-1 hit for class 0), and a score that skipped it or counted it
   *     as a miss would hide broken weights or inputs; the message names the batch and the image in it
   */
  public EvalResult evaluate(Session session, Iterator<Batch> batches, List<String> classNames) {
    int[][] confusion = new int[numClasses][numClasses];
    long seen = 0;
    long top1 = 0;
    long top5 = 0;
    double lossSum = 0;
    int k = Math.min(5, numClasses);
    for (int batchIndex = 0; batches.hasNext(); batchIndex++) {
      Batch b = batches.next();
      if (b.size() == 0) {
        continue; // every image of it was unreadable (the loader left them out and counted them)
      }
      int batch = batchIndex;
      ClassLabels.checkRange(b.labels(), b.size(), numClasses,
          i -> "batch " + batch + ", image " + i + ": label " + b.labels()[i]);
      float[] out = new float[b.size() * numClasses];
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(b.size(), b.height(), b.width(), b.channels()),
              DataBuffers.of(b.images(), true, false));
          Result r = session.runner().feed(images, in).fetch(logits).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      }
      for (int i = 0; i < b.size(); i++) {
        int label = b.labels()[i];
        int offset = i * numClasses;
        for (int c = 0; c < numClasses; c++) {
          if (!Float.isFinite(out[offset + c])) {
            throw new IllegalStateException("batch " + batchIndex + ", image " + i + ": the logit of class " + c
                + " is " + out[offset + c] + "; no prediction to score (diverged weights or broken input?)");
          }
        }
        int best = 0;
        int above = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < numClasses; c++) {
          max = Math.max(max, out[offset + c]);
          if (out[offset + c] > out[offset + best]) {
            best = c;
          }
          if (out[offset + c] > out[offset + label]) {
            above++;
          }
        }
        double sumExp = 0;
        for (int c = 0; c < numClasses; c++) {
          sumExp += Math.exp(out[offset + c] - max);
        }
        lossSum += Math.log(sumExp) + max - out[offset + label];
        confusion[label][best]++;
        top1 += best == label ? 1 : 0;
        top5 += above < k ? 1 : 0;
        seen++;
      }
    }
    if (seen == 0) {
      throw new IllegalStateException("nothing to evaluate: the batches held no image");
    }
    return new EvalResult(100.0 * top1 / seen, 100.0 * top5 / seen, lossSum / seen, seen, confusion, classNames);
  }
}
