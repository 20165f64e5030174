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

  private static Report.ModelResults translation(String label, int erfImages, double crop) {
    InvarianceResult inv = new InvarianceResult(label, Invariance.Type.TRANSLATION, 4, 0, crop, 50, 100,
        List.of(new InvarianceResult.Level(0, 50, 100, 100, 0.1), new InvarianceResult.Level(4, 25, 100, 75, 0.3)));
    return new Report.ModelResults(label, "random", List.of(), ErfResult.of(label, 1, centralPixel(9), 9, erfImages,
        0), List.of(inv), List.of(), Map.of("erf", 1.0));
  }

  private static Report.Spec translationSpec() {
    return new Report.Spec(new Erf.Spec(50, 9, 1, 1), List.of(new Invariance.Spec(Invariance.Type.TRANSLATION, 4, 4,
        0, null)), List.of());
  }

  /** Each model's ERF image count where they differ (one model skipped a map that was not finite). */
  @Test
  void theErfImageCountIsEachModelsWhereTheyDiffer() {
    String same = ReportPage.markdown(List.of(translation("a", 50, 0.875), translation("b", 50, 0.875)),
        translationSpec(), "data", null);
    assertThat(same).contains("the ERF averages the first 50 readable images with a finite map of data, resized");
    String differ = ReportPage.markdown(List.of(translation("a", 50, 0.875), translation("b", 48, 0.875)),
        translationSpec(), "data", null);
    assertThat(differ).contains("the ERF averages each model's first readable images with a finite map of data"
        + " (`a`: 50, `b`: 48), resized").doesNotContain("first 50");
  }

  /** Invariance curves of models evaluated at other crops are of other reference views: each crop is named. */
  @Test
  void theInvarianceTableNamesEachModelsCropWhereTheyDiffer() {
    String same = ReportPage.markdown(List.of(translation("a", 50, 0.875), translation("b", 50, 0.875)),
        translationSpec(), "data", null);
    assertThat(same).contains("| model | reference top-1 |").contains("| `b` | 50.00 % | 87.50 % | 75.00 % (4) |")
        .doesNotContain("crop");
    String differ = ReportPage.markdown(List.of(translation("a", 50, 0.875), translation("b", 50, 0.95f)),
        translationSpec(), "data", null);
    assertThat(differ).contains("The models' reference views are cropped differently")
        .contains("| model | crop | reference top-1 |").contains("| --- | ---: | ---: |")
        .contains("| `a` | 0.875 | 50.00 % | 87.50 % | 75.00 % (4) |")
        .contains("| `b` | 0.95 | 50.00 % | 87.50 % | 75.00 % (4) |");
  }

  @Test
  void anAllZeroErfIsReportedAsDegenerate() {
    String page = ReportPage.markdown(List.of(erfOnly("a", 1, centralPixel(9), 9), erfOnly("z", 1, new float[81],
        9)), spec(1), "data", null);
    assertThat(page).contains("| t=0.20: 0.1111 | t=0.20: degenerate (all-zero map) |");
  }
}
