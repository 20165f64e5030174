package org.stmzoo.zoo.api;

import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** What both kinds of loaded model share in {@link StmzooModel#logits}: the input check and the output copy. */
final class NormalisedBatches {
  private NormalisedBatches() {}

  /** Fails unless {@code batch} is {@code [batch, size, size, 3]} with at least one image. */
  static void check(FloatNdArray batch, String model, int size) {
    long[] s = batch.shape().asArray();
    if (s.length != 4 || s[0] < 1 || s[1] != size || s[2] != size || s[3] != 3) {
      throw new IllegalArgumentException("the input is " + batch.shape() + "; " + model
          + " takes a preprocessed NHWC batch [batch, " + size + ", " + size + ", 3] (resized, cropped, normalised)");
    }
  }

  /** A {@code [rows, columns]} tensor as Java rows. */
  static float[][] rows(TFloat32 matrix) {
    int rows = (int) matrix.shape().get(0);
    int columns = (int) matrix.shape().get(1);
    float[] values = new float[rows * columns];
    matrix.copyTo(DataBuffers.of(values, false, false));
    float[][] out = new float[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = java.util.Arrays.copyOfRange(values, r * columns, (r + 1) * columns);
    }
    return out;
  }
}
