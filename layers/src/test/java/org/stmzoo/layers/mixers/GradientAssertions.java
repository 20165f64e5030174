package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Output;

final class GradientAssertions {
  private GradientAssertions() {}

  /** Every gradient exists, is finite, and is not identically zero. */
  static void allNonZero(TinyGraph g, List<ModelVariable> variables, Output<?>[] grads) {
    assertThat(grads).hasSameSizeAs(variables.toArray());
    for (int i = 0; i < grads.length; i++) {
      assertThat(grads[i]).as("gradient of %s", variables.get(i).path()).isNotNull();
    }
    @SuppressWarnings("unchecked")
    List<float[]> values = g.run(Arrays.asList(grads));
    for (int i = 0; i < grads.length; i++) {
      float[] v = values.get(i);
      String path = variables.get(i).path();
      assertThat(v).as("gradient of %s", path).hasSize((int) variables.get(i).size());
      double norm = 0;
      for (float f : v) {
        assertThat(Float.isFinite(f)).as("finite gradient of %s", path).isTrue();
        norm += (double) f * f;
      }
      assertThat(norm).as("gradient norm of %s", path).isGreaterThan(0);
    }
  }
}
