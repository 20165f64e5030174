package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.MultiHeadSelfAttention;
import org.stmzoo.layers.basic.ConvMlp;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Gradient values, not only their existence: the graph's gradient of {@code sum(output * r)} (r fixed, random)
 * with respect to every variable against central differences of the same graph, on sampled entries. Covers the
 * layers whose ops were rewritten for speed: attention's products (Einsum in trainable graphs), the 1x1
 * convolutions as matrix products, DCNv3's sampler (value, offsets and weights all reach it) and Halo's windows and
 * relative logits.
 */
class GradientValuesTest {
  private static final double STEP = 1e-3;
  private static final int SAMPLES = 6;

  private static void checkGradients(Shape inputShape, Function<LayerScope, Layer> factory, long seed) {
    Random rng = new Random(seed);
    try (TinyGraph g = new TinyGraph()) {
      int n = (int) inputShape.size();
      Operand<TFloat32> x = g.input("x", inputShape, TinyGraph.uniform(rng, n, 1f));
      Operand<TFloat32> out = factory.apply(g.scope("layer")).call(x, g.model.training());
      Operand<TFloat32> weights = g.input("r", out.shape(), TinyGraph.uniform(rng, (int) out.shape().size(), 1f));
      Operand<TFloat32> loss = g.tf().reduceSum(g.tf().math.mul(out, weights),
          g.tf().range(g.tf().constant(0), g.tf().rank(out), g.tf().constant(1)));
      g.randomizeParameters(rng, 0.5f);
      List<ModelVariable> variables = g.model.trainableVariables();
      Output<?>[] grads = g.gradients(loss);
      List<float[]> analytic = g.run(Arrays.asList(grads));
      for (int v = 0; v < variables.size(); v++) {
        ModelVariable variable = variables.get(v);
        float[] values = g.parameters.get(variable);
        assertThat(analytic.get(v)).as("gradient of %s", variable.path()).hasSize(values.length);
        for (int s = 0; s < SAMPLES; s++) {
          int i = rng.nextInt(values.length);
          float original = values[i];
          values[i] = (float) (original + STEP);
          double up = g.run(loss)[0];
          values[i] = (float) (original - STEP);
          double down = g.run(loss)[0];
          values[i] = original;
          double numeric = (up - down) / (2 * STEP);
          assertThat((double) analytic.get(v)[i]).as("d loss / d %s[%d]", variable.path(), i)
              .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-2 + 2e-2 * Math.abs(numeric)));
        }
      }
    }
  }

  @Test
  void attentionGradientsMatchCentralDifferences() {
    checkGradients(Shape.of(2, 5, 8), scope -> new MultiHeadSelfAttention(scope, MultiHeadSelfAttention.Config.of(8, 2)),
        1);
  }

  @Test
  void windowAndSpatialReductionAttentionGradientsMatchCentralDifferences() {
    // shifted 2x2 windows on a 4x4 map: the relative position table and the shift mask's blocks are in the loss
    checkGradients(Shape.of(2, 4, 4, 8),
        scope -> new SwinMixer(scope, new SwinMixer.Config(8, 2, 2, 4, 4, true)), 5);
    // keys and values of the map reduced 2x by a strided convolution and a LayerNorm
    checkGradients(Shape.of(2, 4, 4, 8),
        scope -> new SpatialReductionAttention(scope, SpatialReductionAttention.Config.of(8, 2, 2)), 6);
  }

  @Test
  void pointwiseConvolutionMlpGradientsMatchCentralDifferences() {
    checkGradients(Shape.of(2, 3, 4, 8), scope -> new ConvMlp(scope, Mlp.Config.of(8, 2.0)), 2);
  }

  @Test
  void deformableConvGradientsMatchCentralDifferences() {
    checkGradients(Shape.of(2, 3, 4, 4), scope -> new DeformableConvV3(scope, DeformableConvV3.Config.of(4, 2)), 3);
  }

  @Test
  void haloAttentionGradientsMatchCentralDifferences() {
    checkGradients(Shape.of(2, 4, 4, 8), scope -> new HaloAttention(scope, new HaloAttention.Config(8, 2, 2, 1)), 4);
  }
}
