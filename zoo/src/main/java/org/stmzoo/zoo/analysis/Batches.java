package org.stmzoo.zoo.analysis;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Moving NHWC batches and per-image rows between Java arrays and tensors. */
final class Batches {
  private Batches() {}

  static TFloat32 tensor(float[] values, int n, int size, int channels) {
    return TFloat32.tensorOf(Shape.of(n, size, size, channels), DataBuffers.of(values, true, false));
  }

  static TInt32 labels(int[] labels) {
    return TInt32.tensorOf(Shape.of(labels.length), DataBuffers.of(labels, true, false));
  }

  static TFloat32 scalar(float value) {
    return TFloat32.scalarOf(value);
  }

  static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  /** A {@code [n, width]} tensor as n rows. */
  static float[][] rows(TFloat32 t, int n, int width) {
    float[] flat = values(t);
    float[][] out = new float[n][width];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * width, out[i], 0, width);
    }
    return out;
  }
}
