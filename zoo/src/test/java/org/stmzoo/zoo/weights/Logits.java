package org.stmzoo.zoo.weights;

import org.stmzoo.zoo.registry.BuiltModel;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Runs a built model's logits on an NHWC batch. */
final class Logits {
  private Logits() {}

  /** Logits {@code [batch][classes]}; the batch must match the model's image size and channels. */
  static float[][] compute(Session session, BuiltModel built, RawTensor batch) {
    long[] s = batch.shape();
    int size = built.options().imageSize();
    int channels = built.options().inChannels();
    if (s.length != 4 || s[1] != size || s[2] != size || s[3] != channels) {
      throw new IllegalArgumentException("the input is " + batch.shapeString() + "; " + built.entry().name()
          + " takes NHWC [batch, " + size + ", " + size + ", " + channels + "] (already normalised)");
    }
    try (TFloat32 images = TFloat32.tensorOf(Shape.of(s), DataBuffers.of(batch.values()));
        TFloat32 out = (TFloat32) session.runner().feed(built.images(), images)
            .fetch(built.output().logits()).run().get(0)) {
      int rows = (int) out.shape().get(0);
      int classes = (int) out.shape().get(1);
      float[][] logits = new float[rows][classes];
      for (int b = 0; b < rows; b++) {
        for (int c = 0; c < classes; c++) {
          logits[b][c] = out.getFloat(b, c);
        }
      }
      return logits;
    }
  }
}
