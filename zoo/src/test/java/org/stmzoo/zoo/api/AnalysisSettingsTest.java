package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.analysis.Erf;
import org.stmzoo.zoo.analysis.Invariance;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.analysis.Robustness;

/**
 * The analyses' settings records as a Java caller builds them: a null type, attack or report element is refused as
 * the record is built, naming the field; a spec's radii and lists cannot be changed from outside.
 */
class AnalysisSettingsTest {
  private static Robustness.Spec fgsm(double... eps) {
    return new Robustness.Spec(Robustness.Attack.FGSM, eps, 1, null, false, 0, 2, 2, null, 0);
  }

  @Test
  void theRadiiAreTheSpecsOwn() {
    double[] given = {4 / 255.0, 1 / 255.0};
    Robustness.Spec spec = fgsm(given);
    given[0] = 0.9;
    assertThat(spec.eps()).containsExactly(1 / 255.0, 4 / 255.0);
    spec.eps()[0] = 0.5; // a copy: the spec stays sorted
    assertThat(spec.eps()).containsExactly(1 / 255.0, 4 / 255.0);
    Robustness.Spec.defaultEps()[0] = 0.5;
    assertThat(Robustness.Spec.defaultEps()).containsExactly(1 / 255.0, 2 / 255.0, 4 / 255.0);
    assertThat(spec.units(2)).isEqualTo(fgsm(1 / 255.0, 4 / 255.0).units(2));
  }

  @Test
  void specsWithTheSameRadiiAreEqual() {
    Robustness.Spec spec = fgsm(1 / 255.0, 4 / 255.0);
    Robustness.Spec same = fgsm(4 / 255.0, 1 / 255.0, 1 / 255.0);
    assertThat(same).isEqualTo(spec).hasSameHashCodeAs(spec);
    assertThat(fgsm(2 / 255.0)).isNotEqualTo(spec);
    assertThat(new Robustness.Spec(Robustness.Attack.FGSM, spec.eps(), 1, null, false, 1, 2, 2, null, 0))
        .isNotEqualTo(spec);
    assertThat(spec.toString()).contains("attack=FGSM").contains("eps=[" + 1 / 255.0 + ", " + 4 / 255.0 + "]");
  }

  @Test
  void aNullTypeOrAttackIsRefusedNamingTheField() {
    assertThatThrownBy(() -> new Invariance.Spec(null, 1, 1, 0, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invariance.Spec.type is null");
    assertThatThrownBy(() -> new Robustness.Spec(null, new double[] {0.01}, 1, null, false, 0, 1, 1, null, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Robustness.Spec.attack is null");
    assertThatThrownBy(() -> new Robustness.Spec(Robustness.Attack.PGD, null, 1, null, false, 0, 1, 1, null, 0))
        .isInstanceOf(NullPointerException.class).hasMessage("Robustness.Spec.eps");
  }

  /** A crop outside (0, 1] (which sized a negative array, or an OutOfMemoryError at 0) is refused as built. */
  @Test
  void aCropOutsideZeroToOneIsRefusedNamingTheField() {
    for (float crop : new float[] {-1f, 0f, Float.NaN, 1.5f}) {
      assertThatThrownBy(() -> new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, crop))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invariance.Spec.cropPct must be in (0, 1], got " + crop);
      assertThatThrownBy(() -> new Robustness.Spec(Robustness.Attack.FGSM, new double[] {0.01}, 1, null, false, 0, 1,
          1, crop, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Robustness.Spec.cropPct must be in (0, 1], got " + crop);
    }
    assertThat(new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, 1f).cropPct()).isEqualTo(1f);
  }

  @Test
  void aReportSpecChecksAndCopiesItsLists() {
    Erf.Spec erf = new Erf.Spec(1, 32, null, 1);
    Invariance.Spec scale = new Invariance.Spec(Invariance.Type.SCALE, 1, 1, 0, null);
    assertThatThrownBy(() -> new Report.Spec(erf, Arrays.asList(scale, null), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Report.Spec.invariance[1] is null");
    assertThatThrownBy(() -> new Report.Spec(erf, List.of(), Arrays.asList((Robustness.Spec) null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Report.Spec.robustness[0] is null");
    assertThatThrownBy(() -> new Report.Spec(null, List.of(), List.of())).isInstanceOf(NullPointerException.class)
        .hasMessage("Report.Spec.erf");
    assertThatThrownBy(() -> new Report.Spec(erf, null, List.of())).isInstanceOf(NullPointerException.class)
        .hasMessage("Report.Spec.invariance");
    List<Invariance.Spec> types = new ArrayList<>(List.of(scale));
    Report.Spec report = new Report.Spec(erf, types, List.of());
    types.clear();
    assertThat(report.invariance()).containsExactly(scale);
    assertThatThrownBy(() -> report.invariance().add(scale)).isInstanceOf(UnsupportedOperationException.class);
  }
}
