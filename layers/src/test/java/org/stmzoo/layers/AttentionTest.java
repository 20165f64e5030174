package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Multi-head self-attention against a direct loop implementation. */
class AttentionTest {
  @Test
  void matchesANaiveLoop() {
    int n = 3, c = 4, heads = 2, d = c / heads;
    try (GraphRunner r = new GraphRunner()) {
      MultiHeadSelfAttention attn = new MultiHeadSelfAttention(r.model.root().child("attn"),
          MultiHeadSelfAttention.Config.of(c, heads));
      float[] x = BasicLayersTest.ramp(n * c, 0.3f);
      float[] wqkv = BasicLayersTest.ramp(c * 3 * c, 0.11f);
      float[] bqkv = BasicLayersTest.ramp(3 * c, 0.05f);
      float[] wproj = BasicLayersTest.ramp(c * c, -0.2f);
      float[] bproj = {0.1f, 0.2f, -0.1f, 0f};
      Operand<TFloat32> y = attn.call(r.constant(x, 1, n, c), r.model.training());
      r.set(BasicLayersTest.var(r, "attn/qkv/kernel"), wqkv);
      r.set(BasicLayersTest.var(r, "attn/qkv/bias"), bqkv);
      r.set(BasicLayersTest.var(r, "attn/proj/kernel"), wproj);
      r.set(BasicLayersTest.var(r, "attn/proj/bias"), bproj);

      double[][] qkv = new double[n][3 * c];
      for (int t = 0; t < n; t++) {
        for (int o = 0; o < 3 * c; o++) {
          double s = bqkv[o];
          for (int i = 0; i < c; i++) {
            s += x[t * c + i] * wqkv[i * 3 * c + o];
          }
          qkv[t][o] = s;
        }
      }
      double[][] mixed = new double[n][c];
      double scale = 1 / Math.sqrt(d);
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < n; i++) {
          double[] logits = new double[n];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < n; j++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
              // PyTorch layout: qkv features ordered [3][heads][d]
              dot += qkv[i][h * d + k] * qkv[j][c + h * d + k];
            }
            logits[j] = dot * scale;
            max = Math.max(max, logits[j]);
          }
          double sum = 0;
          for (int j = 0; j < n; j++) {
            logits[j] = Math.exp(logits[j] - max);
            sum += logits[j];
          }
          for (int k = 0; k < d; k++) {
            double acc = 0;
            for (int j = 0; j < n; j++) {
              acc += logits[j] / sum * qkv[j][2 * c + h * d + k];
            }
            mixed[i][h * d + k] = acc;
          }
        }
      }
      float[] expected = new float[n * c];
      for (int t = 0; t < n; t++) {
        for (int o = 0; o < c; o++) {
          double s = bproj[o];
          for (int i = 0; i < c; i++) {
            s += mixed[t][i] * wproj[i * c + o];
          }
          expected[t * c + o] = (float) s;
        }
      }
      assertThat(r.eval(y)).containsExactly(expected, within(1e-5f));
    }
  }
}
