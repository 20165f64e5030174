package org.stmzoo.export;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * The four outputs of a serving signature, copied out of their tensors (row = image).
 *
 * @param classes top-k class indices per image, best first
 * @param labels their names
 */
public record ClassifierOutputs(float[][] probabilities, float[][] logits, int[][] classes, String[][] labels) {

  /** One of an image's top classes. */
  public record ScoredClass(int index, String label, float probability) {}

  public int batch() {
    return logits.length;
  }

  /** The top-k classes of image {@code i}, best first, with their probabilities. */
  public List<ScoredClass> top(int i) {
    List<ScoredClass> out = new ArrayList<>();
    for (int k = 0; k < classes[i].length; k++) {
      out.add(new ScoredClass(classes[i][k], labels[i][k], probabilities[i][classes[i][k]]));
    }
    return out;
  }

  static ClassifierOutputs from(Result result) {
    return new ClassifierOutputs(
        toMatrix((TFloat32) output(result, ServingSignatures.PROBABILITIES)),
        toMatrix((TFloat32) output(result, ServingSignatures.LOGITS)),
        StdArrays.array2dCopyOf((TInt32) output(result, ServingSignatures.CLASSES)),
        StdArrays.array2dCopyOf((TString) output(result, ServingSignatures.LABELS), String.class));
  }

  private static Tensor output(Result result, String name) {
    return result.get(name).orElseThrow(() -> new IllegalStateException("the signature has no output " + name));
  }

  /** A {@code [rows, cols]} float tensor as a Java matrix. */
  public static float[][] toMatrix(TFloat32 t) {
    return StdArrays.array2dCopyOf(t);
  }

  /** The largest absolute difference between two matrices of the same shape. */
  public static double maxAbsDifference(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("batch " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i].length != b[i].length) {
        throw new IllegalArgumentException("width " + a[i].length + " vs " + b[i].length);
      }
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
      }
    }
    return max;
  }
}
