package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.stmzoo.datasets.ImageEncoding;
import org.stmzoo.datasets.LabeledImage;

/** An image folder of uniform-noise 40x40 RGB PNGs for the analyses' tests: the same pixels for the same classes. */
public final class NoiseImageFolder {
  private NoiseImageFolder() {}

  /**
   * {@code root/CLASS/i.png}, {@code perClass} images of each of {@code classes}, drawn in that order from one
   * {@code Random(0)}; returns {@code root}.
   */
  public static Path write(Path root, int perClass, String... classes) throws IOException {
    Random random = new Random(0);
    for (String cls : classes) {
      for (int i = 0; i < perClass; i++) {
        float[] px = new float[40 * 40 * 3];
        for (int p = 0; p < px.length; p++) {
          px[p] = random.nextFloat();
        }
        ImageEncoding.writeRgbPng(new LabeledImage(px, 40, 40, 3, 0), root.resolve(cls).resolve(i + ".png"));
      }
    }
    return root;
  }
}
