package org.stmzoo.zoo.api;

import org.tensorflow.ndarray.FloatNdArray;

/** What both kinds of loaded model check in {@link StmzooModel#logits}. */
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
}
