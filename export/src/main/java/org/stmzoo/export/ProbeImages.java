package org.stmzoo.export;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A deterministic batch of smooth RGB test images (0-255) for checking that a reloaded export computes what
 * the exporting graph computed: varied enough that every channel and position matters, identical in every JVM.
 */
public final class ProbeImages {
  private ProbeImages() {}

  public static TFloat32 create(int batch, int height, int width) {
    return TFloat32.tensorOf(Shape.of(batch, height, width, 3), t -> {
      for (int b = 0; b < batch; b++) {
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            for (int c = 0; c < 3; c++) {
              double v = 127.5 + 127.5 * Math.sin(0.13 * (x + 1) * (c + 1) + 0.07 * (y + 1) * (b + 2) + c);
              t.setFloat((float) v, b, y, x, c);
            }
          }
        }
      }
    });
  }
}
