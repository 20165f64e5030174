package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.ConvMlp;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.DropPath;
import org.stmzoo.layers.basic.Dropout;
import org.stmzoo.layers.basic.GroupNorm;
import org.stmzoo.layers.basic.LayerNorm;
import org.stmzoo.layers.basic.LayerScale;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Each layer against numbers computed by hand (or by a direct loop) on small tensors. */
class BasicLayersTest {

  @Test
  void denseIsXTimesKernelPlusBiasOnTheLastAxis() {
    try (GraphRunner r = new GraphRunner()) {
      Dense dense = new Dense(r.model.root().child("fc"), 2, 3, true);
      // x: [1, 2, 2] tokens
      Operand<TFloat32> y = dense.call(r.constant(new float[] {1, 2, 3, 4}, 1, 2, 2), r.model.training());
      r.set(var(r, "fc/kernel"), 1, 0, 2, 0, 1, -1); // [[1,0,2],[0,1,-1]]
      r.set(var(r, "fc/bias"), 0.5f, 0, -1);
      assertThat(y.shape().asArray()).containsExactly(1, 2, 3);
      assertThat(r.eval(y)).containsExactly(1.5f, 2f, -1f, 3.5f, 4f, 1f);
    }
  }

  @Test
  void denseSplitByInputsSumsItsSharesOfTheKernelsRows() {
    try (GraphRunner r = new GraphRunner()) {
      Dense dense = new Dense(r.model.root().child("fc"), 3, 2, true);
      // x: two rows of 3 features; kernel [[1, 2], [3, 4], [5, 6]], bias [0.5, -1]
      Operand<TFloat32> x = r.constant(new float[] {1, 2, 3, -1, 0, 2}, 2, 3);
      Operand<TFloat32> whole = dense.call(x, r.model.training());
      Operand<TFloat32> two = dense.callSplitByInputs(x, 2);
      Operand<TFloat32> three = dense.callSplitByInputs(x, 3);
      Operand<TFloat32> more = dense.callSplitByInputs(x, 8);
      r.set(var(r, "fc/kernel"), 1, 2, 3, 4, 5, 6);
      r.set(var(r, "fc/bias"), 0.5f, -1);
      float[] expected = {22.5f, 27f, 9.5f, 9f};
      assertThat(r.eval(whole)).containsExactly(expected);
      for (Operand<TFloat32> split : List.of(two, three, more)) {
        assertThat(r.eval(split)).containsExactly(expected);
      }
      assertThatThrownBy(() -> dense.callSplitByInputs(r.constant(new float[6], 1, 2, 3), 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows of 3 features");
    }
  }

  @Test
  void convMlpRefusesInputWithOtherChannelCounts() {
    try (GraphRunner r = new GraphRunner()) {
      ConvMlp mlp = new ConvMlp(r.model.root().child("mlp"), Mlp.Config.of(4, 2.0));
      Operand<TFloat32> x = r.constant(new float[2 * 2 * 8], 1, 2, 2, 8);
      assertThatThrownBy(() -> mlp.call(x, r.model.training())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expects 4 channels");
    }
  }

  @Test
  void conv2dWithPytorchPaddingMatchesADirectLoop() {
    try (GraphRunner r = new GraphRunner()) {
      int h = 4, w = 5, cin = 2, cout = 3, k = 3, stride = 2, pad = 1;
      Conv2D conv = new Conv2D(r.model.root().child("conv"),
          Conv2D.Config.of(cin, cout, k, stride, Padding.explicit(pad), true));
      float[] x = ramp(h * w * cin, 0.1f);
      float[] kernel = ramp(k * k * cin * cout, -0.05f);
      float[] bias = {0.1f, -0.2f, 0.3f};
      Operand<TFloat32> y = conv.call(r.constant(x, 1, h, w, cin), r.model.training());
      r.set(var(r, "conv/kernel"), kernel);
      r.set(var(r, "conv/bias"), bias);
      int oh = (h + 2 * pad - k) / stride + 1;
      int ow = (w + 2 * pad - k) / stride + 1;
      assertThat(y.shape().asArray()).containsExactly(1, oh, ow, cout);
      float[] expected = new float[oh * ow * cout];
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int o = 0; o < cout; o++) {
            float sum = bias[o];
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int iy = oy * stride + ky - pad;
                int ix = ox * stride + kx - pad;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                  continue;
                }
                for (int c = 0; c < cin; c++) {
                  sum += x[(iy * w + ix) * cin + c] * kernel[((ky * k + kx) * cin + c) * cout + o];
                }
              }
            }
            expected[(oy * ow + ox) * cout + o] = sum;
          }
        }
      }
      assertThat(r.eval(y)).containsExactly(expected, within(1e-5f));
    }
  }

  @Test
  void depthwiseWithMultiplierTwoOrdersOutputsPerInputChannelAsPytorch() {
    try (GraphRunner r = new GraphRunner()) {
      // 1x1 depthwise, 2 channels, multiplier 2: output channel c*2+m = x[c] * kernel[c][m]
      Conv2D dw = new Conv2D(r.model.root().child("dw"),
          Conv2D.Config.depthwise(2, 2, 1, 1, Padding.valid(), false));
      Operand<TFloat32> y = dw.call(r.constant(new float[] {3, 5}, 1, 1, 1, 2), r.model.training());
      r.set(var(r, "dw/kernel"), 1, 2, 10, 20); // [1,1,2,2]
      assertThat(r.eval(y)).containsExactly(3, 6, 50, 100);
    }
  }

  @Test
  void groupedConvolutionOnlyMixesChannelsWithinAGroup() {
    try (GraphRunner r = new GraphRunner()) {
      Conv2D conv = new Conv2D(r.model.root().child("g"),
          Conv2D.Config.of(4, 2, 1, 1, Padding.valid(), false).withGroups(2));
      Operand<TFloat32> y = conv.call(r.constant(new float[] {1, 2, 3, 4}, 1, 1, 1, 4), r.model.training());
      r.set(var(r, "g/kernel"), 1, 10, 100, 1000); // [1,1,2,2]: group0 (in 0,1 -> out 0), group1 (in 2,3 -> out 1)
      assertThat(r.eval(y)).containsExactly(1 * 1 + 2 * 100, 3 * 10 + 4 * 1000);
    }
  }

  @Test
  void layerNormUsesBiasedVarianceAndItsEps() {
    try (GraphRunner r = new GraphRunner()) {
      LayerNorm ln = new LayerNorm(r.model.root().child("ln"), 4, 1e-5f);
      Operand<TFloat32> y = ln.call(r.constant(new float[] {1, 2, 3, 4}, 1, 4), r.model.training());
      r.set(var(r, "ln/gamma"), 1, 1, 2, 2);
      r.set(var(r, "ln/beta"), 0, 0, 0, 1);
      // mean 2.5, biased var 1.25
      float s = (float) (1 / Math.sqrt(1.25 + 1e-5));
      assertThat(r.eval(y)).containsExactly(new float[] {-1.5f * s, -0.5f * s, 2 * 0.5f * s, 2 * 1.5f * s + 1},
          within(1e-5f));
    }
  }

  @Test
  void groupNormWithOneGroupNormalisesOverTheWholeSample() {
    try (GraphRunner r = new GraphRunner()) {
      GroupNorm gn = new GroupNorm(r.model.root().child("gn"), new GroupNorm.Config(1, 2, 1e-5f));
      // two samples [1,2,2,2]
      float[] x = {0, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1, 1, 1, 1, 1, 3};
      Operand<TFloat32> y = gn.call(r.constant(x, 2, 2, 2, 2), r.model.training());
      r.set(var(r, "gn/gamma"), 1, 2);
      float[] out = r.eval(y);
      for (int n = 0; n < 2; n++) {
        double mean = 0;
        for (int i = 0; i < 8; i++) {
          mean += x[n * 8 + i] / 8.0;
        }
        double var = 0;
        for (int i = 0; i < 8; i++) {
          var += Math.pow(x[n * 8 + i] - mean, 2) / 8.0;
        }
        for (int i = 0; i < 8; i++) {
          double expected = (x[n * 8 + i] - mean) / Math.sqrt(var + 1e-5) * (i % 2 == 0 ? 1 : 2);
          assertThat(out[n * 8 + i]).isCloseTo((float) expected, within(1e-4f));
        }
      }
    }
  }

  @Test
  void batchNormUsesBatchStatisticsAndUpdatesMovingOnesOnlyInTraining() {
    try (GraphRunner r = new GraphRunner()) {
      BatchNorm bn = new BatchNorm(r.model.root().child("bn"), BatchNorm.Config.torchDefault(1));
      Operand<TFloat32> y = bn.call(r.constant(new float[] {1, 3}, 2, 1), r.model.training());
      // training: mean 2, biased var 1 -> (x-2)/sqrt(1+eps)
      assertThat(r.eval(y, true)).containsExactly(new float[] {-1, 1}, within(1e-4f));
      // inference with initial moving stats (0, 1): identity up to eps
      assertThat(r.eval(y, false)).containsExactly(new float[] {1, 3}, within(1e-4f));
      ModelVariable mean = var(r, "bn/moving_mean");
      ModelVariable variance = var(r, "bn/moving_variance");
      Runnable update = () -> {
        var runner = r.session().runner();
        r.model.stateUpdates().forEach(runner::addTarget);
        try (var t = org.tensorflow.types.TBool.scalarOf(false)) {
          runner.feed(r.model.training(), t).run();
        }
      };
      update.run();
      assertThat(r.value(mean)).containsExactly(0f);
      var runner = r.session().runner();
      r.model.stateUpdates().forEach(runner::addTarget);
      try (var t = org.tensorflow.types.TBool.scalarOf(true)) {
        runner.feed(r.model.training(), t).run();
      }
      // momentum 0.1: mean 0.9*0 + 0.1*2; unbiased var of {1,3} = 2 -> 0.9*1 + 0.1*2
      assertThat(r.value(mean)).containsExactly(new float[] {0.2f}, within(1e-6f));
      assertThat(r.value(variance)).containsExactly(new float[] {1.1f}, within(1e-6f));
    }
  }

  @Test
  void geluIsTheExactErfForm() {
    try (GraphRunner r = new GraphRunner()) {
      Operand<TFloat32> y = Activations.gelu(r.model.tf(), r.constant(new float[] {-1, 0, 0.5f, 1, 3}, 5));
      // x * Phi(x), Phi the standard normal CDF
      assertThat(r.eval(y)).containsExactly(new float[] {-0.15865525f, 0, 0.34573123f, 0.84134475f, 2.99595031f},
          within(1e-6f));
    }
  }

  @Test
  void dropoutIsIdentityInInferenceAndScalesSurvivorsInTraining() {
    try (GraphRunner r = new GraphRunner()) {
      Dropout drop = new Dropout(r.model.root().child("drop"), 0.5f);
      float[] ones = new float[1000];
      java.util.Arrays.fill(ones, 1f);
      Operand<TFloat32> y = drop.call(r.constant(ones, 1000), r.model.training());
      assertThat(r.eval(y, false)).containsOnly(1f);
      float[] trained = r.eval(y, true);
      assertThat(trained).containsOnly(0f, 2f);
      long zeros = java.util.stream.IntStream.range(0, 1000).filter(i -> trained[i] == 0f).count();
      assertThat(zeros).isBetween(400L, 600L);
    }
  }

  @Test
  void dropPathDropsWholeSamples() {
    try (GraphRunner r = new GraphRunner()) {
      DropPath dp = new DropPath(r.model.root().child("dp"), 0.5f);
      int n = 64;
      float[] ones = new float[n * 6];
      java.util.Arrays.fill(ones, 1f);
      Operand<TFloat32> y = dp.call(r.constant(ones, n, 2, 3), r.model.training());
      assertThat(r.eval(y, false)).containsOnly(1f);
      float[] out = r.eval(y, true);
      int dropped = 0;
      for (int s = 0; s < n; s++) {
        float first = out[s * 6];
        assertThat(first).isIn(0f, 2f);
        for (int i = 1; i < 6; i++) {
          assertThat(out[s * 6 + i]).isEqualTo(first);
        }
        dropped += first == 0f ? 1 : 0;
      }
      assertThat(dropped).isBetween(12, 52);
    }
  }

  @Test
  void dropPathMasksFollowAFedSeedAndDifferPerCallSite() {
    try (GraphRunner r = new GraphRunner()) {
      DropPath dp = new DropPath(r.model.root().child("dp"), 0.5f);
      float[] ones = new float[64];
      java.util.Arrays.fill(ones, 1f);
      Operand<TFloat32> x = r.constant(ones, 64, 1);
      Operand<TFloat32> first = dp.call(x, r.model.training());
      Operand<TFloat32> second = dp.call(x, r.model.training()); // the same layer used twice, as in a block
      java.util.function.BiFunction<Operand<TFloat32>, long[], float[]> run = (y, seed) -> {
        try (var t = org.tensorflow.types.TBool.scalarOf(true);
             var s = org.tensorflow.types.TInt64.vectorOf(seed);
             var out = (org.tensorflow.types.TFloat32) r.session().runner().feed(r.model.training(), t)
                 .feed(r.model.randomSeed(), s).fetch(y).run().get(0)) {
          float[] v = new float[64];
          out.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
          return v;
        }
      };
      assertThat(run.apply(first, new long[] {7, 3})).containsExactly(run.apply(first, new long[] {7, 3}));
      assertThat(run.apply(first, new long[] {7, 4})).isNotEqualTo(run.apply(first, new long[] {7, 3}));
      assertThat(run.apply(second, new long[] {7, 3})).isNotEqualTo(run.apply(first, new long[] {7, 3}));
      // unfed, every run draws afresh
      assertThat(r.eval(first, true)).isNotEqualTo(r.eval(first, true));
    }
  }

  @Test
  void layerScaleMultipliesPerChannelFromItsInitialValue() {
    try (GraphRunner r = new GraphRunner()) {
      LayerScale ls = new LayerScale(r.model.root().child("ls"), new LayerScale.Config(2, 1e-6f, false));
      Operand<TFloat32> y = ls.call(r.constant(new float[] {1, 2, 3, 4}, 2, 2), r.model.training());
      assertThat(r.eval(y)).containsExactly(new float[] {1e-6f, 2e-6f, 3e-6f, 4e-6f}, within(1e-12f));
    }
  }

  static ModelVariable var(GraphRunner r, String path) {
    ModelVariable v = r.model.variables().get(path);
    assertThat(v).as(path).isNotNull();
    return v;
  }

  static float[] ramp(int n, float step) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i % 7 - 3) * step + i * 0.001f;
    }
    return a;
  }
}
