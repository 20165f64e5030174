package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.types.TFloat32;

/** ERF, invariance and both attacks on a model with BatchNorm: no variable changes, moving statistics included. */
class AnalysesLeaveTheModelUnchangedTest {
  @Test
  void weightsAndBatchNormStatisticsAreUntouched() throws Exception {
    List<LabeledImage> images = TinyModels.relabel(TinyModels.images(3, 20, 18, 3, 0f, 8), new int[] {0, 1, 2});
    AnalysisImages data = AnalysisImages.of(TinyModels.dataset(images, List.of("a", "b", "c")), 3);
    try (AnalysisModel model = AnalysisModel.randomInit(TinyModels.convBatchNormNet(),
        new ModelOptions(3, 3, 16, null), 1)) {
      assertThat(model.built().model().modelVariables()).anyMatch(v -> v.role() == VariableRole.MOVING_STATISTIC);
      Map<String, float[]> before = values(model);
      ErfResult erf = Erf.measure(model, data, new Erf.Spec(2, 16, null, 2), Progress.quiet());
      assertThat(erf.images()).isEqualTo(2);
      Invariance.measure(model, data, new Invariance.Spec(Invariance.Type.SCALE, 3, 3, 0, null), Progress.quiet());
      for (Robustness.Attack attack : Robustness.Attack.values()) {
        Robustness.measure(model, data, new Robustness.Spec(attack, new double[] {2 / 255.0}, 2, null, true, 0, 3,
            3, null, 0), Progress.quiet(), null);
      }
      Map<String, float[]> after = values(model);
      assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
      before.forEach((path, v) -> assertThat(after.get(path)).as(path).containsExactly(v));
    }
  }

  private static Map<String, float[]> values(AnalysisModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ModelVariable v : model.built().model().modelVariables()) {
      try (TFloat32 t = (TFloat32) model.session().runner().fetch(v.value()).run().get(0)) {
        out.put(v.path(), Batches.values(t));
      }
    }
    return out;
  }
}
