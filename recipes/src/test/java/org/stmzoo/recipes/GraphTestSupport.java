package org.stmzoo.recipes;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Fetches float results in tests. */
final class GraphTestSupport {
  private GraphTestSupport() {}

  static float[] fetch(Session session, Operand<TFloat32> value) {
    try (Result r = session.runner().fetch(value).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }
}
