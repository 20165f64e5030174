package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ModelLabels}: one folder and one report column per analysed model. */
class AnalysisModelLabelsTest {
  private static List<Path> folders(String... paths) {
    return Arrays.stream(paths).map(p -> p == null ? null : Path.of(p)).toList();
  }

  @Test
  void aNameOfItsOwnStaysAsItIs() {
    assertThat(ModelLabels.unique(List.of("u-convnext-micro", "u-swin-micro"), folders("runs/a", "runs/b")))
        .containsExactly("u-convnext-micro", "u-swin-micro");
  }

  @Test
  void checkpointsOfOneArchitectureTakeTheirFolderNames() {
    assertThat(ModelLabels.unique(List.of("u-convnext-micro", "u-convnext-micro", "u-swin-micro"),
        folders("runs/a", "runs/b b/", "runs/c"))).containsExactly("u-convnext-micro-a", "u-convnext-micro-b_b",
        "u-swin-micro");
    // best/ and last/ name the file layout, not the run: the run folder above them is named too
    assertThat(ModelLabels.unique(List.of("m", "m"), folders("runs/a/best", "runs/b/best")))
        .containsExactly("m-a-best", "m-b-best");
  }

  @Test
  void otherWeightsAndSameNamedFoldersTakeTheirPositions() {
    assertThat(ModelLabels.unique(List.of("m", "m"), folders(null, null))).containsExactly("m-1", "m-2");
    assertThat(ModelLabels.unique(List.of("m", "m"), folders("x/a", "y/a"))).containsExactly("m-a", "m-a-2");
    assertThat(ModelLabels.unique(List.of("m", "m", "m"), folders("x/2", null, "y/3")))
        .doesNotHaveDuplicates().startsWith("m-2");
  }
}
