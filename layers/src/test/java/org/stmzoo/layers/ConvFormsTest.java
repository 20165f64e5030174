package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Conv2D's rewritten forms compute what TF's convolution ops compute, outputs and gradients (input, kernel, bias):
 * a convolution whose kernel equals its stride as SpaceToDepth and one matrix product (maps that are and are not
 * multiples of the stride); a depthwise convolution with a channel multiplier as one depthwise convolution without
 * multiplier per output of a channel, stacked; padding that TF's SAME gives for the map, as SAME instead of a padded
 * copy.
 */
class ConvFormsTest {
  @Test
  void patchifyingConvolutionMatchesTheConvolutionOpAndItsGradients() {
    for (int stride : new int[] {2, 4}) {
      for (int[] size : new int[][] {{8, 12}, {9, 10}}) {
        assertMatches(stride, size[0], size[1]);
      }
    }
  }

  @Test
  void depthwiseWithMultiplierMatchesTheDepthwiseOpAndItsGradients() {
    for (int stride : new int[] {1, 2}) {
      Random random = new Random(stride);
      float[] x = new float[2 * 9 * 7 * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      try (GraphRunner r = new GraphRunner()) {
        Ops tf = r.model.tf();
        Conv2D conv = new Conv2D(r.model.root().child("conv"),
            Conv2D.Config.depthwise(3, 2, 3, stride, Padding.explicit(1), true));
        Operand<TFloat32> input = r.constant(x, 2, 9, 7, 3);
        Operand<TFloat32> y = conv.call(input, r.model.training());
        ModelVariable kernel = r.model.variables().get("conv/kernel");
        ModelVariable bias = r.model.variables().get("conv/bias");
        Operand<TFloat32> padded = tf.pad(input, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}),
            tf.constant(0f));
        Operand<TFloat32> expected = tf.math.add(tf.nn.depthwiseConv2dNative(padded, kernel.value(),
            List.of(1L, (long) stride, (long) stride, 1L), "VALID"), bias.value());
        assertThat(y.shape()).isEqualTo(expected.shape());
        assertThat(r.eval(y)).containsExactly(r.eval(expected), within(1e-5f));
        assertSameGradients(r, y, expected, random, input, kernel, bias, 1e-4f, "stride " + stride);
      }
    }
  }

  @Test
  void paddingThatTfSameGivesRunsWithoutAPaddedCopy() {
    // {kernel, stride, pad, height, width, depthwise, PadV2 expected}: 3x3/1 and 7x7/1 depthwise pad as SAME does;
    // 3x3/2 with padding 1 on an even map does not (SAME would pad the bottom/right only), on an odd map it does.
    int[][] cases = {{3, 1, 1, 8, 6, 0, 0}, {7, 1, 3, 9, 8, 1, 0}, {3, 2, 1, 8, 8, 0, 1}, {3, 2, 1, 9, 7, 1, 0}};
    for (int[] c : cases) {
      int k = c[0];
      int stride = c[1];
      int pad = c[2];
      boolean depthwise = c[5] == 1;
      Random random = new Random(k * 10 + c[3]);
      int channels = 4;
      float[] x = new float[2 * c[3] * c[4] * channels];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      try (GraphRunner r = new GraphRunner()) {
        Ops tf = r.model.tf();
        Conv2D.Config config = Conv2D.Config.of(channels, channels, k, stride, Padding.explicit(pad), true);
        Conv2D conv = new Conv2D(r.model.root().child("conv"), depthwise ? config.withGroups(channels) : config);
        Operand<TFloat32> input = r.constant(x, 2, c[3], c[4], channels);
        Operand<TFloat32> y = conv.call(input, r.model.training());
        String label = k + "x" + k + "/" + stride + " on " + c[3] + "x" + c[4];
        assertThat(count(r, "PadV2")).as("padded copies, %s", label).isEqualTo(c[6]);
        ModelVariable kernel = r.model.variables().get("conv/kernel");
        ModelVariable bias = r.model.variables().get("conv/bias");
        Operand<TFloat32> padded = tf.pad(input,
            tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
        List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
        Operand<TFloat32> expected = tf.math.add(depthwise
            ? tf.nn.depthwiseConv2dNative(padded, kernel.value(), strides, "VALID")
            : tf.nn.conv2d(padded, kernel.value(), strides, "VALID"), bias.value());
        assertThat(y.shape()).as(label).isEqualTo(expected.shape());
        assertThat(r.eval(y)).as(label).containsExactly(r.eval(expected), within(1e-4f));
        assertSameGradients(r, y, expected, random, input, kernel, bias, 1e-3f, label);
      }
    }
  }

  private static int count(GraphRunner r, String opType) {
    int n = 0;
    for (var it = r.graph.operations(); it.hasNext(); ) {
      n += ((GraphOperation) it.next()).type().equals(opType) ? 1 : 0;
    }
    return n;
  }

  private static void assertMatches(int stride, int height, int width) {
    Random random = new Random(stride * 100 + height);
    int in = 5;
    int out = 7;
    float[] x = new float[2 * height * width * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    try (GraphRunner r = new GraphRunner()) {
      Ops tf = r.model.tf();
      Conv2D conv = new Conv2D(r.model.root().child("conv"),
          Conv2D.Config.of(in, out, stride, stride, Padding.valid(), true));
      assertThat(conv.isPatchify()).isTrue();
      Operand<TFloat32> input = r.constant(x, 2, height, width, in);
      Operand<TFloat32> y = conv.call(input, r.model.training());
      ModelVariable kernel = r.model.variables().get("conv/kernel");
      ModelVariable bias = r.model.variables().get("conv/bias");
      Operand<TFloat32> expected = tf.math.add(tf.nn.conv2d(input, kernel.value(),
          List.of(1L, (long) stride, (long) stride, 1L), "VALID"), bias.value());
      assertThat(y.shape()).isEqualTo(expected.shape());
      List<String> types = new ArrayList<>();
      r.graph.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      assertThat(types).contains("SpaceToDepth");

      float[] biasValues = new float[out];
      for (int i = 0; i < out; i++) {
        biasValues[i] = (float) random.nextGaussian();
      }
      r.set(bias, biasValues);
      assertThat(r.eval(y)).containsExactly(r.eval(expected), within(1e-4f));

      assertSameGradients(r, y, expected, random, input, kernel, bias, 1e-3f,
          "stride " + stride + ", " + height + "x" + width);
    }
  }

  /**
   * The gradients of {@code sum(y * w)} and {@code sum(expected * w)} for one fixed random {@code w}, with respect
   * to the input, kernel and bias, agree within {@code tolerance}.
   */
  private static void assertSameGradients(GraphRunner r, Operand<TFloat32> y, Operand<TFloat32> expected,
      Random random, Operand<TFloat32> input, ModelVariable kernel, ModelVariable bias, float tolerance,
      String label) {
    Ops tf = r.model.tf();
    float[] weights = new float[Math.toIntExact(y.shape().size())];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextGaussian();
    }
    Operand<TFloat32> w = r.constant(weights, y.shape().asArray());
    List<float[]> ours = gradients(r, tf.reduceSum(tf.math.mul(y, w), tf.constant(new int[] {0, 1, 2, 3})),
        input, kernel, bias);
    List<float[]> reference = gradients(r,
        tf.reduceSum(tf.math.mul(expected, w), tf.constant(new int[] {0, 1, 2, 3})), input, kernel, bias);
    for (int i = 0; i < 3; i++) {
      assertThat(ours.get(i)).as("gradient %d, %s", i, label).containsExactly(reference.get(i), within(tolerance));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<float[]> gradients(GraphRunner r, Operand<TFloat32> loss, Operand<TFloat32> input,
      ModelVariable kernel, ModelVariable bias) {
    Output<?>[] grads = r.graph.addGradients(loss.asOutput(),
        new Output<?>[] {input.asOutput(), kernel.value().asOutput(), bias.value().asOutput()});
    List<float[]> values = new ArrayList<>();
    for (Output<?> g : grads) {
      values.add(r.eval((Operand<TFloat32>) g));
    }
    return values;
  }
}
