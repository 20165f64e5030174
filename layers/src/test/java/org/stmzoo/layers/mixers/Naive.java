package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;


/** Plain-Java arithmetic for the naive reference loops of the mixer tests (double precision). */
final class Naive {
  private Naive() {}

  /** Row {@code v} (length in) times a row-major {@code [in, out]} kernel, plus bias (may be null). */
  static double[] dense(double[] v, float[] kernel, float[] bias, int in, int out) {
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = bias == null ? 0 : bias[o];
      for (int i = 0; i < in; i++) {
        s += v[i] * kernel[i * out + o];
      }
      y[o] = s;
    }
    return y;
  }

  /** Channels of NHWC position (n, r, c) of a flat array, or zeros outside the map (zero padding). */
  static double[] pixel(float[] x, int height, int width, int channels, int n, int r, int c) {
    double[] v = new double[channels];
    if (r < 0 || r >= height || c < 0 || c >= width) {
      return v;
    }
    int base = ((n * height + r) * width + c) * channels;
    for (int ch = 0; ch < channels; ch++) {
      v[ch] = x[base + ch];
    }
    return v;
  }

  /** Softmax-weighted sum of {@code values[k][from..from+len)} with the given logits (NaN = excluded key). */
  static double[] attend(double[] logits, double[][] values, int from, int len) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      if (!Double.isNaN(l)) {
        max = Math.max(max, l);
      }
    }
    double total = 0;
    double[] out = new double[len];
    for (int k = 0; k < logits.length; k++) {
      if (Double.isNaN(logits[k])) {
        continue;
      }
      double p = Math.exp(logits[k] - max);
      total += p;
      for (int i = 0; i < len; i++) {
        out[i] += p * values[k][from + i];
      }
    }
    for (int i = 0; i < len; i++) {
      out[i] /= total;
    }
    return out;
  }

  static double dot(double[] a, int aFrom, double[] b, int bFrom, int len) {
    double s = 0;
    for (int i = 0; i < len; i++) {
      s += a[aFrom + i] * b[bFrom + i];
    }
    return s;
  }

  static void assertClose(float[] actual, double[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i],
          org.assertj.core.data.Offset.offset(tolerance));
    }
  }
}
