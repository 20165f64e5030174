package org.stmzoo.layers.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.StoredInputGradients;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** GELU's two graph forms: the same values; in trainable graphs a backward pass that reads only the input. */
class ActivationsTest {
  private static final float[] POINTS = {-12f, -6f, -3f, -1.5f, -0.7f, -1e-3f, 0f, 1e-3f, 0.4f, 1f, 2.5f, 5f, 9f};

  private static float[] inputs() {
    Random random = new Random(3);
    float[] x = new float[POINTS.length + 64];
    System.arraycopy(POINTS, 0, x, 0, POINTS.length);
    for (int i = POINTS.length; i < x.length; i++) {
      x[i] = (float) (3 * random.nextGaussian());
    }
    return x;
  }

  /** The standard normal CDF in double precision (the reference for float32 graphs). */
  private static double normalCdf(double x) {
    return 0.5 * erfc(-x / Math.sqrt(2));
  }

  /** erfc(x) for any x, from the continued fraction for large |x| and the series for small |x| (double precision). */
  private static double erfc(double x) {
    if (x < 0) {
      return 2 - erfc(-x);
    }
    if (x < 3) {
      double sum = 0;
      double term = x;
      for (int n = 0; n < 200; n++) {
        sum += term / (2 * n + 1);
        term *= -x * x / (n + 1);
      }
      return 1 - 2 / Math.sqrt(Math.PI) * sum;
    }
    double fraction = 0;
    for (int k = 60; k >= 1; k--) {
      fraction = k / 2.0 / (x + fraction);
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + fraction);
  }

  private static long markedForXla(Graph graph) {
    long count = 0;
    for (var ops = graph.operations(); ops.hasNext(); ) {
      try {
        if (ops.next().attributes().getAttrValueProto("_XlaCompile").getB()) {
          count++;
        }
      } catch (RuntimeException absent) {
        // no such attribute
      }
    }
    return count;
  }

  @Test
  void inATrainableGraphGeluHasTheSameValuesAndTheExactDerivative() {
    float[] x = inputs();
    float[] w = new float[x.length];
    Random random = new Random(4);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(x.length)));
      Operand<TBool> training = tf.placeholderWithDefault(tf.constant(true), Shape.scalar());
      Operand<TFloat32> weights = tf.constant(w);
      Operand<TFloat32> stored = Activations.gelu(tf, input, training);
      Operand<TFloat32> plain = Activations.gelu(tf, input);
      assertThat(stored).as("the stored-input form is built").isNotSameAs(plain);
      Output<?> storedGradient = graph.addGradients(tf.sum(tf.math.mul(stored, weights), tf.constant(0)).asOutput(),
          new Output<?>[] {input.asOutput()})[0];
      long compiledOps = markedForXla(graph);
      assertThat(compiledOps).as("the rule's ops, built as one XLA cluster").isGreaterThanOrEqualTo(8);
      Output<?> plainGradient = graph.addGradients(tf.sum(tf.math.mul(plain, weights), tf.constant(0)).asOutput(),
          new Output<?>[] {input.asOutput()})[0];
      assertThat(markedForXla(graph)).as("TF's own gradient is not compiled").isEqualTo(compiledOps);
      try (TFloat32 fed = TFloat32.tensorOf(Shape.of(x.length), DataBuffers.of(x, true, false));
          Result result = session.runner().feed(input, fed).fetch(stored).fetch(plain).fetch(storedGradient)
              .fetch(plainGradient).run()) {
        float[][] values = new float[4][x.length];
        for (int k = 0; k < 4; k++) {
          ((TFloat32) result.get(k)).copyTo(DataBuffers.of(values[k], false, false));
        }
        assertThat(values[0]).as("values").containsExactly(values[1]);
        for (int i = 0; i < x.length; i++) {
          double exact = w[i] * (normalCdf(x[i]) + x[i] * Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI));
          assertThat((double) values[2][i]).as("d/dx at %s", x[i])
              .isCloseTo(exact, within(3e-6 + 3e-6 * Math.abs(exact)));
          assertThat(values[3][i]).as("the op-by-op gradient at %s", x[i]).isCloseTo(values[2][i],
              within(1e-5f + 1e-5f * Math.abs(values[2][i])));
        }
      }
    }
  }

  /**
   * After the gradient is built, none of GELU's intermediates (the erf's argument, the erf, both factors, their
   * product) is read by a gradient op, so none outlives the forward pass; the op-by-op form, built the same way,
   * keeps its intermediates for the backward pass (the control that this check can fail).
   */
  @Test
  void theStoredInputFormsBackwardPassReadsNoIntermediate() {
    assertThat(StoredInputGradients.registered()).isTrue();
    for (boolean storedInput : new boolean[] {true, false}) {
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(8)));
        Operand<TFloat32> y = storedInput
            ? Activations.gelu(tf, input, tf.placeholderWithDefault(tf.constant(true), Shape.scalar()))
            : Activations.gelu(tf, input);
        graph.addGradients(tf.sum(tf.math.square(y), tf.constant(0)).asOutput(), new Output<?>[] {input.asOutput()});
        GraphOperation product = (GraphOperation) (storedInput
            ? ((GraphOperation) ((GraphOperation) y.op()).input(1).op()).input(0).op() // IdentityN <- StopGradient
            : y.op());
        assertThat(product.type()).isEqualTo("Mul");
        GraphOperation erfPlusOne = (GraphOperation) product.input(0).op();
        GraphOperation half = (GraphOperation) product.input(1).op();
        GraphOperation erf = (GraphOperation) erfPlusOne.input(0).op();
        GraphOperation erfArgument = (GraphOperation) erf.input(0).op();
        assertThat(erf.type()).isEqualTo("Erf");
        List<Integer> consumers = List.of(erfArgument.numConsumers(), erf.numConsumers(), erfPlusOne.numConsumers(),
            half.numConsumers());
        if (storedInput) {
          assertThat(consumers).as("consumers of erf argument, erf, erf + 1, x / 2").containsExactly(1, 1, 1, 1);
          assertThat(product.numConsumers()).as("only StopGradient reads the value").isEqualTo(1);
        } else {
          assertThat(consumers).as("op by op, the gradient reads them").isNotEqualTo(List.of(1, 1, 1, 1));
        }
      }
    }
  }
}
