package org.stmzoo.zoo.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.families.RandomWeightsRun.Outputs;

/**
 * A model built with its batch cut into parts (the batches plan's graph) computes the same outputs as the whole
 * graph, image for image: for a batch of 3 in 2 parts (padded with a zero image to 2 and 2), and for a single
 * image in 2 parts (the second a zero image), through the same kind of graph (its batch is dynamic). Every family,
 * with random variables.
 */
class BatchStreamsTest {
  private static final Consumer<Map<String, Integer>> WHOLE =
      types -> assertThat(types).as("no batch cut").doesNotContainKey("SplitV");

  @ParameterizedTest
  @ValueSource(strings = {"u-convnext-micro", "u-pvt-micro", "u-swin-micro", "u-halo-micro", "u-dcnv3-micro",
      "pit-ti", "deit-tiny-distilled", "shiftvit-light-tiny"})
  void batchCutIntoPartsGivesEveryImagesOutputs(String model) {
    ModelGraph.Inference batches = ThreadPlan.batches(2).graph();
    assertThat(batches.batchStreams()).isEqualTo(2);
    assertThat(batches.rowStreams()).isEqualTo(1);
    Outputs whole = RandomWeightsRun.run(model, ModelGraph.Inference.PLAIN, 3, false, WHOLE);
    Outputs cut = RandomWeightsRun.run(model, batches, 3, false, BatchStreamsTest::cutOnce);
    Outputs single = RandomWeightsRun.run(model, batches, 1, false, BatchStreamsTest::cutOnce);
    assertThat(whole.logits()).hasSize(3 * 1000);
    assertSame(model + " logits, batch 3", whole.logits(), cut.logits());
    assertSame(model + " features, batch 3", whole.features(), cut.features());
    assertThat(single.logits()).hasSize(1000);
    assertSame(model + " logits, batch 1", Arrays.copyOf(whole.logits(), 1000), single.logits());
    if (whole.distillationLogits() != null) {
      assertSame(model + " distillation logits", whole.distillationLogits(), cut.distillationLogits());
    }
  }

  @Test
  void morePartsThanImagesPadsEveryPartToAnImageAndCutsTheOutputsBack() {
    String model = "u-convnext-micro";
    ModelGraph.Inference threeParts = ThreadPlan.batches(3).graph();
    Outputs whole = RandomWeightsRun.run(model, ModelGraph.Inference.PLAIN, 2, false, WHOLE);
    Outputs cut = RandomWeightsRun.run(model, threeParts, 2, false, BatchStreamsTest::cutOnce);
    assertSame(model + " logits, 2 images in 3 parts", whole.logits(), cut.logits());
    Outputs none = RandomWeightsRun.run(model, threeParts, 0, false, BatchStreamsTest::cutOnce);
    assertThat(none.logits()).as("no images, no logits").isEmpty();
    assertThat(none.features()).isEmpty();
  }

  /** The images are cut once, at the input; nothing inside an image is (no row streams or bands). */
  private static void cutOnce(Map<String, Integer> types) {
    assertThat(types.get("SplitV")).as("one cut of the batch").isEqualTo(1);
    assertThat(types).as("no bands").doesNotContainKey("Split");
  }

  private static void assertSame(String what, float[] expected, float[] actual) {
    assertThat(actual).as(what).hasSize(expected.length);
    double[] difference = RandomWeightsRun.maxDifference(expected, actual);
    System.out.println(what + ": max |cut - whole| = " + difference[0] + " (largest " + difference[1] + ")");
    assertThat(difference[0]).as(what).isLessThanOrEqualTo(1e-5 * Math.max(1, difference[1]));
    assertThat(difference[1]).as(what + " are not all zero").isGreaterThan(1e-3);
  }
}
