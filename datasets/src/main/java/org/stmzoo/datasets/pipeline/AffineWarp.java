package org.stmzoo.datasets.pipeline;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * PIL's {@code Image.transform(size, AFFINE, (a, b, c, d, e, f), BICUBIC, fillcolor)}: output pixel (x, y) samples
 * the input at {@code (a (x+.5) + b (y+.5) + c, d (x+.5) + e (y+.5) + f)}; a sample point outside the input gets
 * the fill colour, inside it is interpolated with PIL's geometric cubic (Keys a = -1, edge pixels repeated) and
 * truncated to 8 bits. Rotate, shear and translate are such matrices.
 */
final class AffineWarp {
  private AffineWarp() {}

  static Image8 warp(Image8 source, double[] m, int[] fill) {
    int h = source.height();
    int w = source.width();
    int ch = source.channels();
    int[] in = source.values();
    int[] out = new int[in.length];
    int[] columns = new int[4];
    int[] rows = new int[4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double xin = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2];
        double yin = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5];
        int o = (y * w + x) * ch;
        if (xin < 0 || xin >= w || yin < 0 || yin >= h) {
          for (int c = 0; c < ch; c++) {
            out[o + c] = fill[c];
          }
          continue;
        }
        double xs = xin - 0.5;
        double ys = yin - 0.5;
        int x0 = (int) Math.floor(xs);
        int y0 = (int) Math.floor(ys);
        double dx = xs - x0;
        double dy = ys - y0;
        for (int k = 0; k < 4; k++) {
          columns[k] = clamp(x0 - 1 + k, w) * ch;
          rows[k] = clamp(y0 - 1 + k, h) * w * ch;
        }
        for (int c = 0; c < ch; c++) {
          // d = 0 leaves the cubic's v2 exactly: shears and translations along x sample one row
          double v = dy == 0 ? row(in, rows[1] + c, columns, dx) : cubic(row(in, rows[0] + c, columns, dx),
              row(in, rows[1] + c, columns, dx), row(in, rows[2] + c, columns, dx), row(in, rows[3] + c, columns, dx),
              dy);
          out[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
        }
      }
    }
    return new Image8(out, h, w, ch);
  }

  /**
   * The cubic along one row of the neighbourhood, {@code row} the offset of its sample in the wanted channel; at
   * dx = 0 (shears and translations along y) that is the sample itself.
   */
  private static double row(int[] in, int row, int[] columns, double dx) {
    return dx == 0 ? in[row + columns[1]]
        : cubic(in[row + columns[0]], in[row + columns[1]], in[row + columns[2]], in[row + columns[3]], dx);
  }

  /**
   * PIL's BICUBIC macro, the cubic through v2 (d = 0) and v3 (d = 1) with a = -1 tangents, in its operation
   * order: four equal values give that value exactly, which weights of v1..v4 summing to 0.99999... did not.
   */
  static double cubic(double v1, double v2, double v3, double v4, double d) {
    double p1 = v2;
    double p2 = -v1 + v3;
    double p3 = 2 * (v1 - v2) + v3 - v4;
    double p4 = -v1 + v2 - v3 + v4;
    return p1 + d * (p2 + d * (p3 + d * p4));
  }

  private static int clamp(int i, int size) {
    return i < 0 ? 0 : i >= size ? size - 1 : i;
  }

  /**
   * {@code Image.rotate(degrees)} about the image center, counter-clockwise, same size, with the matrix PIL
   * computes: the angle taken modulo 360 as Python's {@code %} does, cos and sin rounded to 15 decimals (which
   * makes quarter and half turns exact). Java's cos and sin can differ from the C library's in the last bit; after
   * the rounding 7 random angles in 20,000 still give a matrix 1e-15 apart from the one glibc 2.36 gives, none
   * of them changing a pixel of a test image.
   */
  static double[] rotation(double degrees, int width, int height) {
    double angle = -Math.toRadians(pythonModulo(degrees, 360));
    double cos = round15(Math.cos(angle));
    double sin = round15(Math.sin(angle));
    double cx = width / 2.0;
    double cy = height / 2.0;
    double[] m = {cos, sin, 0, -sin, cos, 0};
    m[2] = m[0] * -cx + m[1] * -cy + cx;
    m[5] = m[3] * -cx + m[4] * -cy + cy;
    return m;
  }

  /** Python's {@code a % b} for a positive {@code b}: the remainder has b's sign, a zero one is +0. */
  private static double pythonModulo(double a, double b) {
    double r = a % b;
    return r == 0 ? 0.0 : r < 0 ? r + b : r;
  }

  /** Python's {@code round(v, 15)}: v's exact binary value rounded half-even to 15 decimals, then to a double. */
  private static double round15(double v) {
    return Math.copySign(new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue(), v);
  }

  static double[] shearX(double factor) {
    return new double[] {1, factor, 0, 0, 1, 0};
  }

  static double[] shearY(double factor) {
    return new double[] {1, 0, 0, factor, 1, 0};
  }

  static double[] translate(double dx, double dy) {
    return new double[] {1, 0, dx, 0, 1, dy};
  }
}
