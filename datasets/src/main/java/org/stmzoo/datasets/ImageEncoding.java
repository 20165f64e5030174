package org.stmzoo.datasets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes dataset images back to files, e.g. a Fashion-MNIST sample to try an exported model on. */
public final class ImageEncoding {
  private ImageEncoding() {}

  /**
   * Writes {@code image} as an 8-bit RGB PNG: values rounded to 0-255, a gray image replicated into the three
   * channels (what an RGB model, and an export's image-bytes signature, expect).
   */
  public static void writeRgbPng(LabeledImage image, Path file) throws IOException {
    if (image.channels() != 1 && image.channels() != 3) {
      throw new IllegalArgumentException("cannot write a " + image.channels() + "-channel image as RGB");
    }
    BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    float[] p = image.pixels();
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int base = (y * image.width() + x) * image.channels();
        int r = level(p[base]);
        int g = image.channels() == 1 ? r : level(p[base + 1]);
        int b = image.channels() == 1 ? r : level(p[base + 2]);
        out.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(out, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private static int level(float value) {
    return Math.max(0, Math.min(255, Math.round(value * 255f)));
  }
}
