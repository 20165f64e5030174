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

  public EvalResult evaluate(Session session, BatchLoader loader, List<String> classNames) {
    int[][] confusion = new int[numClasses][numClasses];
    long seen = 0;
    long top1 = 0;
    long top5 = 0;
    double lossSum = 0;
    int k = Math.min(5, numClasses);
    Iterator<Batch> batches = loader.epoch(0, 0);
    while (batches.hasNext()) {
      Batch b = batches.next();
      float[] out = new float[b.size() * numClasses];
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(b.size(), b.height(), b.width(), b.channels()),
              DataBuffers.of(b.images(), true, false));
          Result r = session.runner().feed(images, in).fetch(logits).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      }
      for (int i = 0; i < b.size(); i++) {
        int label = b.labels()[i];
        int offset = i * numClasses;
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
    return new EvalResult(100.0 * top1 / seen, 100.0 * top5 / seen, lossSum / seen, seen, confusion, classNames);
  }
}
