package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportPageTest {
  private static Report.ModelResults erfOnly(String label, int stage, float[] map, int size) {
    return new Report.ModelResults(label, "random", List.of(), ErfResult.of(label, stage, map, size, 1, 0), List.of(),
        List.of(), Map.of("erf", 1.0));
  }

  private static float[] centralPixel(int size) {
    float[] map = new float[size * size];
    map[size / 2 * size + size / 2] = 1f;
    return map;
  }

  private static Report.Spec spec(Integer stage) {
    return new Report.Spec(new Erf.Spec(1, 9, stage, 1), List.of(), List.of());
  }

  @Test
  void theErfCaptionNamesTheStageScored() {
    String given = ReportPage.markdown(List.of(erfOnly("a", 1, centralPixel(9), 9), erfOnly("b", 1,
        centralPixel(9), 9)), spec(1), "data", null);
    assertThat(given).contains("central position of stage 1: log10").doesNotContain("last stage")
        .contains("| `a` | `b` |");
    String last = ReportPage.markdown(List.of(erfOnly("a", 3, centralPixel(9), 9)), spec(null), "data", null);
    assertThat(last).contains("central position of stage 3 (the last): log10");
    // models whose last stages differ (a U-model's stage 3, DeiT's stage 0): each column names its own
    String mixed = ReportPage.markdown(List.of(erfOnly("u", 3, centralPixel(9), 9), erfOnly("deit", 0,
        centralPixel(9), 9)), spec(null), "data", null);
    assertThat(mixed).contains("central position of each model's last stage")
        .contains("| `u` (stage 3) | `deit` (stage 0) |");
  }

  @Test
  void anAllZeroErfIsReportedAsDegenerate() {
    String page = ReportPage.markdown(List.of(erfOnly("a", 1, centralPixel(9), 9), erfOnly("z", 1, new float[81],
        9)), spec(1), "data", null);
    assertThat(page).contains("| t=0.20: 0.1111 | t=0.20: degenerate (all-zero map) |");
  }
}
