package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An inference graph that asks for the fused LayerNorm builds oneDNN's kernel where the natives have it (and none
 * of the element-wise form) and computes the same numbers as a direct double-precision loop, for rows, tokens and
 * NHWC maps.
 */
class FusedLayerNormTest {
  private static final int DIM = 48;

  @Test
  void oneDnnSettingIsReadAsTensorFlowReadsIt() {
    assertThat(OneDnnOps.oneDnnEnabled(null)).isTrue();
    assertThat(OneDnnOps.oneDnnEnabled("1")).isTrue();
    assertThat(OneDnnOps.oneDnnEnabled("0")).isFalse();
    assertThat(OneDnnOps.oneDnnEnabled(" False ")).isFalse();
    // These natives (linux-x86_64) are a oneDNN build.
    assertThat(OneDnnOps.layerNormAvailable()).isEqualTo(OneDnnOps.oneDnnEnabled(System.getenv("TF_ENABLE_ONEDNN_OPTS"))
        && System.getProperty("os.arch").matches("amd64|x86_64"));
  }

  @Test
  void fusedKernelComputesLayerNormOverTheLastAxis() {
    for (Shape shape : List.of(Shape.of(7, DIM), Shape.of(2, 9, DIM), Shape.of(2, 5, 6, DIM))) {
      for (boolean fused : new boolean[] {false, true}) {
        assertLayerNorm(shape, fused);
      }
    }
  }

  private static void assertLayerNorm(Shape shape, boolean fused) {
    Random random = new Random(shape.numDimensions());
    float[] x = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 3 + 1);
    }
    float[] gamma = new float[DIM];
    float[] beta = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      gamma[i] = 0.5f + random.nextFloat();
      beta[i] = random.nextFloat() - 0.5f;
    }
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1L, ModelGraph.Inference.PLAIN.withFusedLayerNorm(fused));
      Placeholder<TFloat32> input = model.tf().placeholder(TFloat32.class, Placeholder.shape(shape));
      LayerNorm norm = new LayerNorm(model.root().child("norm"), DIM, 1e-6f);
      Operand<TFloat32> y = norm.call(input, model.training());
      assertThat(y.shape()).isEqualTo(shape);
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      boolean built = fused && OneDnnOps.layerNormAvailable();
      assertThat(types.contains("_MklLayerNorm")).as("fused kernel in %s", shape).isEqualTo(built);
      assertThat(types.contains("Mean")).as("element-wise form in %s", shape).isEqualTo(!built);

      List<Tensor> fed = new ArrayList<>();
      try (Session s = new Session(g)) {
        Session.Runner runner = s.runner();
        for (ModelVariable v : model.variables().values()) {
          float[] values = v.path().endsWith("gamma") ? gamma : beta;
          TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
          fed.add(t);
          runner.feed(v.value(), t);
        }
        TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
        fed.add(in);
        try (TFloat32 out = (TFloat32) runner.feed(input, in).fetch(y).run().get(0)) {
          float[] actual = new float[x.length];
          out.copyTo(DataBuffers.of(actual, false, false));
          double[] expected = NaiveMath.layerNorm(NaiveMath.toDouble(x), x.length / DIM, DIM, gamma, beta, 1e-6);
          for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s fused=%s element %d", shape, fused, i)
                .isCloseTo(expected[i], within(2e-5));
          }
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }
}
