package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** An attacked image as one PNG: original, adversarial, and the difference stretched so +-eps spans black..white. */
final class Examples {
  private Examples() {}

  static void write(Path png, float[] origin, float[] adversarial, int index, int size, int channels, double eps)
      throws IOException {
    int per = size * size * channels;
    float[] o = rgb(origin, index * per, size, channels);
    float[] a = rgb(adversarial, index * per, size, channels);
    float[] d = new float[o.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = eps == 0 ? 0.5f : (float) (0.5 + (a[i] - o[i]) / (2 * eps));
    }
    Figures.row(png, List.of(o, a, d), size, List.of("original", "adversarial",
        String.format(Locale.ROOT, "difference (+-%.1f/255)", eps * 255)));
  }

  private static float[] rgb(float[] batch, int offset, int size, int channels) {
    float[] out = new float[size * size * 3];
    for (int p = 0; p < size * size; p++) {
      for (int c = 0; c < 3; c++) {
        out[p * 3 + c] = batch[offset + p * channels + (channels == 3 ? c : 0)];
      }
    }
    return out;
  }
}
