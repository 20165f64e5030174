package org.stmzoo.layers.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The norms' affine map in trainable graphs: the same values as the inference form, and gradients for the input,
 * gamma and beta equal to TF's op-by-op gradient of that form, while the backward pass reads only the input.
 */
class NormalizationTest {
  private record Case(Shape shape, int groups, float eps) {}

  private static final List<Case> CASES = List.of(
      new Case(Shape.of(2, 5, 8), 0, 1e-6f), // LayerNorm on tokens
      new Case(Shape.of(2, 3, 4, 8), 0, 1e-5f), // LayerNorm on an NHWC map
      new Case(Shape.of(2, 3, 4, 8), 1, 1e-5f), // ShiftViT's GroupNorm(1, C)
      new Case(Shape.of(2, 3, 4, 8), 4, 1e-5f));

  private static float[] random(Random random, int n, float scale, float offset) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = offset + scale * (float) random.nextGaussian();
    }
    return v;
  }

  @Test
  void gradientsOfInputGammaAndBetaAreTheOpByOpGradients() {
    Random random = new Random(9);
    for (Case c : CASES) {
      int n = (int) c.shape().size();
      int channels = (int) c.shape().get(c.shape().numDimensions() - 1);
      float[] x = random(random, n, 2f, 0.5f);
      float[] w = random(random, n, 1f, 0f);
      try (Graph graph = new Graph(); Session session = new Session(graph)) {
        Ops tf = Ops.create(graph);
        Operand<TFloat32> input = tf.constant(c.shape(), DataBuffers.of(x, true, false));
        Operand<TFloat32> gamma = tf.constant(random(random, channels, 0.5f, 1f));
        Operand<TFloat32> beta = tf.constant(random(random, channels, 0.5f, 0f));
        Operand<TFloat32> weights = tf.constant(c.shape(), DataBuffers.of(w, true, false));
        Operand<TFloat32> stored = Normalization.affine(tf, input, gamma, beta, c.groups(), c.eps(),
            tf.placeholderWithDefault(tf.constant(true), Shape.scalar()));
        Operand<TFloat32> plain = Normalization.affine(tf, input, gamma, beta, c.groups(), c.eps(),
            tf.constant(false));
        assertThat(stored).isNotSameAs(plain);
        Output<?>[] wrt = {input.asOutput(), gamma.asOutput(), beta.asOutput()};
        Output<?>[] storedGrads = graph.addGradients(loss(tf, stored, weights).asOutput(), wrt);
        Output<?>[] plainGrads = graph.addGradients(loss(tf, plain, weights).asOutput(), wrt);
        assertThat(storedGrads[1].shape()).as("a variable's gradient has its shape").isEqualTo(Shape.of(channels));
        assertThat(storedGrads[2].shape()).isEqualTo(Shape.of(channels));
        var runner = session.runner().fetch(stored).fetch(plain);
        for (int k = 0; k < 3; k++) {
          runner.fetch(storedGrads[k]).fetch(plainGrads[k]);
        }
        try (Result result = runner.run()) {
          assertThat(values(result, 0)).as("%s values", c).containsExactly(values(result, 1));
          String[] names = {"input", "gamma", "beta"};
          for (int k = 0; k < 3; k++) {
            float[] mine = values(result, 2 + 2 * k);
            float[] reference = values(result, 3 + 2 * k);
            float scale = 0;
            for (float v : reference) {
              scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("%s: d/d%s is not trivially zero", c, names[k]).isGreaterThan(0.1f);
            for (int i = 0; i < mine.length; i++) {
              assertThat(mine[i]).as("%s d/d%s[%d]", c, names[k], i).isCloseTo(reference[i], within(2e-5f * scale));
            }
          }
        }
      }
    }
  }

  /** The centred input is read by the forward ops only once the gradient is built (two: the square, the scaling). */
  @Test
  void theBackwardPassReadsNeitherTheCentredNorTheNormalisedInput() {
    for (boolean trainable : new boolean[] {true, false}) {
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        Operand<TFloat32> input = tf.placeholder(TFloat32.class,
            org.tensorflow.op.core.Placeholder.shape(Shape.of(-1, 5, 8)));
        Operand<TFloat32> gamma = tf.constant(new float[8]);
        Operand<TFloat32> y = Normalization.affine(tf, input, gamma, tf.constant(new float[8]), 0, 1e-6f,
            trainable ? tf.placeholderWithDefault(tf.constant(true), Shape.scalar()) : tf.constant(false));
        graph.addGradients(tf.sum(tf.math.square(y), tf.constant(new int[] {0, 1, 2})).asOutput(),
            new Output<?>[] {input.asOutput(), gamma.asOutput()});
        GraphOperation add = (GraphOperation) (trainable
            ? ((GraphOperation) ((GraphOperation) y.op()).input(3).op()).input(0).op() // IdentityN <- StopGradient
            : y.op());
        GraphOperation scaled = (GraphOperation) add.input(0).op();
        GraphOperation normalized = (GraphOperation) scaled.input(0).op();
        GraphOperation centered = (GraphOperation) normalized.input(0).op();
        assertThat(centered.type()).isEqualTo("Sub");
        if (trainable) {
          assertThat(centered.numConsumers()).as("square and scaling").isEqualTo(2);
          assertThat(normalized.numConsumers()).as("the gamma product").isEqualTo(1);
        } else {
          assertThat(centered.numConsumers() + normalized.numConsumers()).as("op by op").isGreaterThan(3);
        }
      }
    }
  }

  private static Operand<TFloat32> loss(Ops tf, Operand<TFloat32> y, Operand<TFloat32> weights) {
    int rank = y.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.sum(tf.math.mul(y, weights), tf.constant(axes));
  }

  private static float[] values(Result result, int index) {
    TFloat32 t = (TFloat32) result.get(index);
    float[] v = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
