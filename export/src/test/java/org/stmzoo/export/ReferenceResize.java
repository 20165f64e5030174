package org.stmzoo.export;

/**
 * Antialiased separable resampling written from its definition (PIL's convention, which timm's evaluation
 * resize uses): output pixel i of an axis samples at {@code (i + 0.5) / scale}; when downsampling the kernel
 * is widened by {@code 1 / scale}; taps outside the image are dropped and the weights renormalised. The
 * kernel is Keys' cubic with a = -0.5 (PIL's BICUBIC).
 */
final class ReferenceResize {
  private ReferenceResize() {}

  static double keysCubic(double x) {
    x = Math.abs(x);
    if (x < 1) {
      return (1.5 * x - 2.5) * x * x + 1;
    }
    if (x < 2) {
      return ((-0.5 * x + 2.5) * x - 4) * x + 2;
    }
    return 0;
  }

  /** Resizes {@code [h][w][c]} to {@code [outH][outW][c]}, doubles, not rounded. */
  static double[][][] resize(double[][][] image, int outH, int outW) {
    return resizeRows(transpose(resizeRows(transpose(image), outW)), outH);
  }

  /** Resamples along the first axis. */
  private static double[][][] resizeRows(double[][][] image, int out) {
    int in = image.length;
    double scale = (double) out / in;
    double support = Math.max(1 / scale, 1);
    double[][][] result = new double[out][image[0].length][image[0][0].length];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) / scale;
      double total = 0;
      double[] weights = new double[in];
      for (int j = 0; j < in; j++) {
        weights[j] = keysCubic((j + 0.5 - center) / support);
        total += weights[j];
      }
      for (int j = 0; j < in; j++) {
        if (weights[j] == 0) {
          continue;
        }
        for (int k = 0; k < image[0].length; k++) {
          for (int c = 0; c < image[0][0].length; c++) {
            result[i][k][c] += weights[j] / total * image[j][k][c];
          }
        }
      }
    }
    return result;
  }

  private static double[][][] transpose(double[][][] image) {
    double[][][] t = new double[image[0].length][image.length][];
    for (int y = 0; y < image.length; y++) {
      for (int x = 0; x < image[0].length; x++) {
        t[x][y] = image[y][x];
      }
    }
    return t;
  }

  static double[][][] toDouble(int[][][] rgb) {
    double[][][] d = new double[rgb.length][rgb[0].length][3];
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) {
        for (int c = 0; c < 3; c++) {
          d[y][x][c] = rgb[y][x][c];
        }
      }
    }
    return d;
  }
}
