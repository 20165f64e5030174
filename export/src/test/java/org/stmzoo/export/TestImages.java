package org.stmzoo.export;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Random;
import org.stmzoo.datasets.ImageDecoding;
import org.stmzoo.datasets.LabeledImage;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** RGB test images as {@code int[h][w][3]} (0-255), their encodings, crops and normalisation. */
final class TestImages {
  private TestImages() {}

  /** A smooth but non-trivial pattern, different per seed. */
  static int[][][] pattern(int height, int width, int seed) {
    int[][][] rgb = new int[height][width][3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 128 + 100 * Math.sin(0.21 * x * (c + 1) + 0.17 * y * (seed + 1) + seed)
              + 27 * Math.cos(0.05 * (x + y) * (c + 2));
          rgb[y][x][c] = (int) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return rgb;
  }

  static byte[] encode(int[][][] rgb, String format) {
    return EncodedImages.encode(image(rgb), format);
  }

  static BufferedImage image(int[][][] rgb) {
    BufferedImage image = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) {
        image.setRGB(x, y, (rgb[y][x][0] << 16) | (rgb[y][x][1] << 8) | rgb[y][x][2]);
      }
    }
    return image;
  }

  /**
   * {@link #pattern} with seeded noise of up to +-40 levels per channel: detail and chroma that a JPEG keeps in
   * many DCT coefficients, where decoders that round differently part ways.
   */
  static int[][][] detailed(int height, int width, int seed) {
    int[][][] rgb = pattern(height, width, seed);
    Random noise = new Random(seed);
    for (int[][] row : rgb) {
      for (int[] pixel : row) {
        for (int c = 0; c < 3; c++) {
          pixel[c] = Math.max(0, Math.min(255, pixel[c] + noise.nextInt(81) - 40));
        }
      }
    }
    return rgb;
  }

  /** The in-process decoder's pixels (datasets' ImageDecoding, what {@code predict --checkpoint} classifies). */
  static int[][][] decodeInProcess(byte[] encoded) throws IOException {
    LabeledImage image = ImageDecoding.decodeRgb(encoded, "test image", 0);
    int[][][] rgb = new int[image.height()][image.width()][3];
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        for (int c = 0; c < 3; c++) {
          rgb[y][x][c] = Math.round(image.pixels()[(y * image.width() + x) * 3 + c] * 255f);
        }
      }
    }
    return rgb;
  }

  /** {@code [1, size, size, 3]} float 0-255: the {@code size x size} window at (top, left). */
  static TFloat32 crop(int[][][] rgb, int top, int left, int size) {
    return TFloat32.tensorOf(Shape.of(1, size, size, 3), t -> {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int c = 0; c < 3; c++) {
            t.setFloat(rgb[top + y][left + x][c], 0, y, x, c);
          }
        }
      }
    });
  }
}
