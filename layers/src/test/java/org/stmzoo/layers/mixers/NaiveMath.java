package org.stmzoo.layers.mixers;

/**
 * Direct loops over flat row-major arrays, the independent side of the layer tests: they follow the
 * reference PyTorch formulas, not our graph code.
 */
final class NaiveMath {
  private NaiveMath() {}

  /** {@code x [rows, in] @ kernel [in, out] + bias [out]}. */
  static double[] dense(double[] x, int rows, int in, float[] kernel, float[] bias, int out) {
    double[] y = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        double s = bias == null ? 0 : bias[o];
        for (int i = 0; i < in; i++) {
          s += x[r * in + i] * kernel[i * out + o];
        }
        y[r * out + o] = s;
      }
    }
    return y;
  }

  /** LayerNorm over the last axis of {@code x [rows, dim]}, biased variance. */
  static double[] layerNorm(double[] x, int rows, int dim, float[] gamma, float[] beta, double eps) {
    double[] y = new double[x.length];
    for (int r = 0; r < rows; r++) {
      double mean = 0;
      for (int i = 0; i < dim; i++) {
        mean += x[r * dim + i];
      }
      mean /= dim;
      double var = 0;
      for (int i = 0; i < dim; i++) {
        double d = x[r * dim + i] - mean;
        var += d * d;
      }
      var /= dim;
      for (int i = 0; i < dim; i++) {
        y[r * dim + i] = (x[r * dim + i] - mean) / Math.sqrt(var + eps) * gamma[i] + beta[i];
      }
    }
    return y;
  }

  /** Softmax over consecutive segments of {@code length}, in place. */
  static void softmax(double[] x, int length) {
    for (int start = 0; start < x.length; start += length) {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < length; i++) {
        max = Math.max(max, x[start + i]);
      }
      double sum = 0;
      for (int i = 0; i < length; i++) {
        x[start + i] = Math.exp(x[start + i] - max);
        sum += x[start + i];
      }
      for (int i = 0; i < length; i++) {
        x[start + i] /= sum;
      }
    }
  }

  static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  /** erf by its Maclaurin series (|x| < 3) or continued-fraction tail; ~1e-12 accurate, ample for float tests. */
  static double erf(double x) {
    double a = Math.abs(x);
    double r;
    if (a < 3) {
      double term = a;
      double sum = a;
      for (int n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
        term *= -a * a / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
      double f = a;
      for (int k = 60; k >= 1; k--) {
        f = a + (k / 2.0) / f;
      }
      r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -r : r;
  }

  static double[] toDouble(float[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i];
    }
    return y;
  }
}
