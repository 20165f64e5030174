package org.stmzoo.layers.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.GraphRunner;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.stmzoo.layers.mixers.ConvNeXtMixer;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

class UnifiedBlockTest {
  private static final int DIM = 8;

  private static UnifiedBlock block(GraphRunner r, String name, float layerScaleInit) {
    UnifiedBlock.Config config = new UnifiedBlock.Config(
        (scope, context) -> new ConvNeXtMixer(scope, new ConvNeXtMixer.Config(context.dim(), 3)), 4.0, 1e-6f, false);
    return new UnifiedBlock(r.model.root().child(name),
        new BlockFactory.BlockContext(0, 0, 0, DIM, 4, 4, 0f, layerScaleInit), config);
  }

  /**
   * The reference builds {@code gamma = ... if layer_scale_init_value > 0 else None}: with init 0 there is no
   * gamma, and each branch is added as it is, which is what a block whose gammas are all 1 computes.
   */
  @Test
  void layerScaleInitZeroBuildsNoGammaAndAddsTheBranchesUnscaled() {
    try (GraphRunner r = new GraphRunner()) {
      Operand<TFloat32> x = r.constant(ramp(2 * 4 * 4 * DIM), 2, 4, 4, DIM);
      Operand<TFloat32> off = block(r, "off", 0f).call(x, r.model.training());
      Operand<TFloat32> ones = block(r, "ones", 1f).call(x, r.model.training());

      List<String> offPaths = r.model.variables().keySet().stream().filter(p -> p.startsWith("off/")).toList();
      assertThat(offPaths).isNotEmpty()
          .noneMatch(p -> r.model.variables().get(p).role() == VariableRole.LAYER_SCALE || p.contains("layer_scale"));
      assertThat(r.model.variables()).containsKeys("ones/layer_scale1/gamma", "ones/layer_scale2/gamma");

      // the same weights in both blocks, larger than the init so that both branches matter
      Random rng = new Random(3);
      for (String path : offPaths) {
        ModelVariable v = r.model.variables().get(path);
        float[] values = new float[(int) v.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = rng.nextFloat() - 0.5f;
        }
        r.set(v, values);
        r.set(r.model.variables().get("ones/" + path.substring("off/".length())), values);
      }
      for (boolean training : new boolean[] {false, true}) {
        float[] input = r.eval(x, training);
        float[] unscaled = r.eval(off, training);
        assertThat(unscaled).as("training %s", training).containsExactly(r.eval(ones, training), within(1e-4f));
        float change = 0;
        for (int i = 0; i < input.length; i++) {
          change = Math.max(change, Math.abs(unscaled[i] - input[i]));
        }
        assertThat(change).as("the branches' contribution").isGreaterThan(0.1f);
      }
    }
  }

  private static float[] ramp(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i % 11 - 5) * 0.3f + i * 0.002f;
    }
    return a;
  }
}
