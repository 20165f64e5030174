package org.stmzoo.datasets.pipeline;

/** A batch: NHWC float images (already transformed, normalised with the model's mean/std), int labels. */
public record Batch(float[] images, int[] labels, int size, int height, int width, int channels) {
  public Batch {
    if (labels.length != size || images.length != (long) size * height * width * channels) {
      throw new IllegalArgumentException("batch arrays do not match " + size + "x" + height + "x" + width + "x"
          + channels);
    }
  }
}
