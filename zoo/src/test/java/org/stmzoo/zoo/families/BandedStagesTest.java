package org.stmzoo.zoo.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.benchmark.ThreadPlan;

/**
 * A model built with two row streams (the latency plan's graph) computes the same logits as the one-stream graph,
 * at 224x224, with every variable random (so layer scales do not hide the mixers). A U-model runs as two
 * horizontal bands from the image on (stem and downsampling convolutions with halo rows; norms, MLPs, residuals per
 * band; each mixer's band form or the joined map; maps of 56, 28, 14 rows in bands of equal height, the 7-row stage
 * as 4 and 3 rows, the head per band); and with the weights frozen, as in-process latency graphs are built, where
 * each block's two layer scales are folded into the projections before them.
 */
class BandedStagesTest {
  /**
   * @param splits how often the banded graph cuts a map into bands: the image once, since it stays in bands
   *     through the stem, the downsampling and three stages (a block whose mixer ran on the joined map would cut
   *     it again)
   * @param bandedMixerOps how many ops of {@code mixerOp} the banded graph has: one per block and band where
   *     every stage's mixer takes bands of different heights (twice the blocks; Swin's 7-row stage is one 7x7
   *     window, whose bands' queries attend over it), 0 where not checked (Halo's 7-row stage runs joined)
   */
  @ParameterizedTest
  @CsvSource({"u-swin-micro, 1, Softmax, 30", "u-pvt-micro, 1, Softmax, 18",
      "u-convnext-micro, 1, DepthwiseConv2dNative, 34", "u-halo-micro, 1, Softmax, 0",
      "u-dcnv3-micro, 1, Softmax, 30"})
  void bandedGraphComputesTheSameLogits(String model, int splits, String mixerOp, int bandedMixerOps) {
    float[] whole = logits(model, ModelGraph.Inference.PLAIN, types -> checkGraph(types, 0));
    float[] banded = logits(model, ThreadPlan.latency(2).graph(), types -> {
      checkGraph(types, splits);
      if (bandedMixerOps > 0) {
        assertThat(types.get(mixerOp)).as("every block's mixer in two bands, the 7-row stage's too")
            .isEqualTo(bandedMixerOps);
      }
    });
    assertSameLogits(model, whole, banded);
    // the latency plan's graph as in-process inference builds it: weights frozen, layer scales folded
    float[] frozen = RandomWeightsRun.runFrozen(model, ThreadPlan.latency(2).graph(), types -> {
      checkGraph(types, splits);
      assertThat(types).as("no variable ops").doesNotContainKeys("VarHandleOp", "ReadVariableOp");
    }).logits();
    assertSameLogits(model + " (frozen)", whole, frozen);
  }

  /**
   * ShiftViT keeps its map whole between blocks (its norm needs the whole map), but in row streams its MLPs run on
   * blocks of rows and its patchifying convolutions (the 4x4 stem and the three 2x2 mergings, each a SpaceToDepth
   * and a product) on bands of output rows: two of each, the last merging's 7 output rows as 3 and 4.
   */
  @Test
  void shiftVitInRowStreamsComputesTheSameLogits() {
    String model = "shiftvit-light-tiny";
    float[] whole = logits(model, ModelGraph.Inference.PLAIN,
        types -> assertThat(types.get("SpaceToDepth")).as("patchifying convolutions").isEqualTo(4));
    float[] streamed = logits(model, ThreadPlan.latency(2).graph(),
        types -> assertThat(types.get("SpaceToDepth")).as("each in two bands").isEqualTo(8));
    assertSameLogits(model, whole, streamed);
  }

  private static void assertSameLogits(String model, float[] whole, float[] banded) {
    double[] difference = RandomWeightsRun.maxDifference(whole, banded);
    double max = difference[0];
    double scale = Math.max(1, difference[1]);
    System.out.println(model + ": max |banded - whole| = " + max + " (largest logit " + scale + ")");
    assertThat(max).as(model).isLessThanOrEqualTo(1e-4 * scale);
  }

  /** @param splits how often the graph cuts a map into bands */
  private static void checkGraph(Map<String, Integer> types, int splits) {
    assertThat(types.getOrDefault("Split", 0)).as("maps cut into bands").isEqualTo(splits);
    // whole or banded, attention's products are oneDNN's (BatchMatMulV2), never TF's own kernel
    assertThat(types).as("attention products in oneDNN's form").doesNotContainKey("BatchMatMulV3");
  }

  private static float[] logits(String name, ModelGraph.Inference inference,
      Consumer<Map<String, Integer>> graphCheck) {
    return RandomWeightsRun.run(name, inference, 1, true, graphCheck).logits();
  }
}
