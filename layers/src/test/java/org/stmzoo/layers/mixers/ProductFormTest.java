package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ProductForm;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Attention's products are built as the graph's form (Einsum where it may be trained, oneDNN's batched product in
 * inference graphs, TF's own kernel in graphs that ask for it), and every form computes softmax(q k^T s + b) v
 * as a direct double-precision loop does, with transposed operands and broadcast leading axes.
 */
class ProductFormTest {
  private static final int HEADS = 3;
  private static final int NQ = 7;
  private static final int NK = 9;
  private static final int D = 5;

  @Test
  void graphChoosesTheForm() {
    try (Graph g = new Graph()) {
      ModelGraph trainable = ModelGraph.create(g, 1L);
      assertThat(ProductForm.forAttention(trainable.training())).isEqualTo(ProductForm.EINSUM);
    }
    try (Graph g = new Graph()) {
      ModelGraph plain = ModelGraph.inferenceOnly(g, 1L);
      assertThat(ProductForm.forAttention(plain.training())).isEqualTo(ProductForm.ONEDNN);
    }
    try (Graph g = new Graph()) {
      ModelGraph streamed = ModelGraph.inferenceOnly(g, 1L, ModelGraph.Inference.ofRowStreams(2));
      assertThat(ProductForm.forAttention(streamed.training())).isEqualTo(ProductForm.ONEDNN);
      assertThat(streamed.attentionProducts(streamed.training())).isEqualTo(ProductForm.ONEDNN);
    }
  }

  @Test
  void graphsThatAskForTfsKernelBuildIt() {
    ModelGraph.Inference tfKernel = ModelGraph.Inference.ofRowStreams(2).withTfAttentionKernel(true);
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1L, tfKernel);
      assertThat(model.attentionProducts(model.training())).isEqualTo(ProductForm.TF_KERNEL);
      // a placeholder for training (the graph may be trained): Einsum, whatever the graph asked for
      assertThat(model.attentionProducts(model.tf().placeholderWithDefault(model.tf().constant(false),
          Shape.scalar()))).isEqualTo(ProductForm.EINSUM);
      MultiHeadSelfAttention attention = new MultiHeadSelfAttention(model.root().child("attn"),
          MultiHeadSelfAttention.Config.of(8, 2));
      attention.call(model.tf().zeros(model.tf().constant(new long[] {1, 5, 8}), org.tensorflow.types.TFloat32.class),
          model.training());
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      assertThat(types).filteredOn("BatchMatMulV3"::equals).hasSize(2);
      assertThat(types).doesNotContain("BatchMatMulV2", "Einsum");
    }
    assertThat(ModelGraph.Inference.PLAIN.withTfAttentionKernel(true).withFusedLayerNorm(true).tfAttentionKernel())
        .isTrue();
  }

  @Test
  void everyFormComputesAttention() {
    Random random = new Random(3);
    float[] q = gaussian(random, 2 * HEADS * NQ * D);
    float[] k = gaussian(random, 2 * HEADS * NK * D);
    float[] v = gaussian(random, 2 * HEADS * NK * D);
    float[] bias = gaussian(random, HEADS * NQ * NK);
    float scale = 0.4f;
    double[] expected = naiveAttention(q, k, v, bias, scale);
    for (ProductForm form : ProductForm.values()) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        // The bias [H, Nq, Nk] broadcasts over the batch of 2, as Swin's relative positions do.
        Operand<TFloat32> out = MultiHeadSelfAttention.attend(tf, form,
            tf.constant(Shape.of(2, HEADS, NQ, D), DataBuffers.of(q)),
            tf.constant(Shape.of(2, HEADS, NK, D), DataBuffers.of(k)),
            tf.constant(Shape.of(2, HEADS, NK, D), DataBuffers.of(v)), scale,
            tf.constant(Shape.of(HEADS, NQ, NK), DataBuffers.of(bias)), Layer.identity(), tf.constant(false));
        List<String> types = new ArrayList<>();
        g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
        String op = switch (form) {
          case EINSUM -> "Einsum";
          case ONEDNN -> "BatchMatMulV2";
          case TF_KERNEL -> "BatchMatMulV3";
        };
        assertThat(types.stream().filter(op::equals)).as("%s products", form).hasSize(2);
        try (Session s = new Session(g); TFloat32 result = (TFloat32) s.runner().fetch(out).run().get(0)) {
          assertThat(result.shape()).isEqualTo(Shape.of(2, HEADS, NQ, D));
          float[] actual = new float[expected.length];
          result.copyTo(DataBuffers.of(actual, false, false));
          for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s element %d", form, i).isCloseTo(expected[i], within(1e-5));
          }
        }
      }
    }
  }

  @Test
  void transposedOperandsAreHonoured() {
    Random random = new Random(5);
    float[] a = gaussian(random, 4 * 3);
    float[] b = gaussian(random, 2 * 4);
    for (ProductForm form : ProductForm.values()) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        // a [1, 4, 3] and b [1, 2, 4]: a^T b^T is [1, 3, 2].
        Operand<TFloat32> x = tf.constant(Shape.of(1, 4, 3), DataBuffers.of(a));
        Operand<TFloat32> y = tf.constant(Shape.of(1, 2, 4), DataBuffers.of(b));
        try (Session s = new Session(g);
            TFloat32 out = (TFloat32) s.runner().fetch(form.matMul(tf, x, y, true, true)).run().get(0)) {
          assertThat(out.shape()).isEqualTo(Shape.of(1, 3, 2));
          for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
              double sum = 0;
              for (int t = 0; t < 4; t++) {
                sum += (double) a[t * 3 + i] * b[j * 4 + t];
              }
              assertThat((double) out.getFloat(0, i, j)).as("%s [%d, %d]", form, i, j).isCloseTo(sum, within(1e-5));
            }
          }
        }
      }
    }
  }

  private static float[] gaussian(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  /** softmax(q k^T scale + bias) v per batch, head and query, by {@link Naive#attend}. */
  private static double[] naiveAttention(float[] q, float[] k, float[] v, float[] bias, float scale) {
    double[] out = new double[2 * HEADS * NQ * D];
    for (int b = 0; b < 2; b++) {
      for (int h = 0; h < HEADS; h++) {
        int bh = b * HEADS + h;
        double[][] values = new double[NK][D];
        for (int j = 0; j < NK; j++) {
          for (int c = 0; c < D; c++) {
            values[j][c] = v[(bh * NK + j) * D + c];
          }
        }
        for (int i = 0; i < NQ; i++) {
          double[] logits = new double[NK];
          for (int j = 0; j < NK; j++) {
            double dot = 0;
            for (int c = 0; c < D; c++) {
              dot += (double) q[(bh * NQ + i) * D + c] * scale * k[(bh * NK + j) * D + c];
            }
            logits[j] = dot + bias[(h * NQ + i) * NK + j];
          }
          System.arraycopy(Naive.attend(logits, values, 0, D), 0, out, (bh * NQ + i) * D, D);
        }
      }
    }
    return out;
  }
}
