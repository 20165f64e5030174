package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.benchmark.ThreadPlan;

/** The reference fixtures' logits are reproduced from their imported weights (README: within about 1e-4). */
class ParityTest {
  @Test
  void unifiedConvNeXtMicro() throws IOException {
    assertParity("u-convnext-micro", "unified_convnext_micro");
  }

  @Test
  void unifiedConvNeXtMicroInBands() throws IOException {
    // 2 bands: stages of 56, 28 and 14 rows banded; 4 bands: 56 and 28 (the 14-row stage whole).
    assertParity("u-convnext-micro", "unified_convnext_micro", 2);
    assertParity("u-convnext-micro", "unified_convnext_micro", 4);
  }

  @Test
  void fusedLayerNormKeepsTheReferenceLogits() throws IOException {
    assertParity("u-convnext-micro", "unified_convnext_micro", ModelGraph.Inference.ofRowStreams(2)
        .withFusedLayerNorm(true));
    assertParity("pit-ti", "pit_ti_224", ModelGraph.Inference.PLAIN.withFusedLayerNorm(true));
  }

  @Test
  void latencyPlanGraphKeepsTheReferenceLogits() throws IOException {
    // Token streams (bands for the U-models) and the fused LayerNorm.
    ModelGraph.Inference latency = ThreadPlan.latency(2).graph().withFusedLayerNorm(true);
    assertThat(latency.rowStreams()).isEqualTo(2);
    assertParity("pit-ti", "pit_ti_224", latency);
    // attention's products in TF's own kernel, as in-process graphs build them where it is the faster one
    assertParity("pit-ti", "pit_ti_224", latency.withTfAttentionKernel(true));
    assertParity("u-convnext-micro", "unified_convnext_micro", latency);
  }

  @Test
  void frozenWeightsKeepTheReferenceLogits() throws IOException {
    // the latency plan's in-process graph: its weights read back from the imported variables as constants
    ModelGraph.Inference latency = ThreadPlan.latency(2).graph().withFusedLayerNorm(true).withTfAttentionKernel(true);
    assertThat(ThreadPlan.latency(2).freezesWeights()).isTrue();
    assertThat(ThreadPlan.batches(2).freezesWeights()).isFalse();
    assertParity("pit-ti", "pit_ti_224", latency, ReferenceParity.frozenLogits("pit-ti", "pit_ti_224", latency));
    ModelGraph.Inference bands = ThreadPlan.latency(2).graph().withFusedLayerNorm(true);
    assertParity("u-convnext-micro", "unified_convnext_micro", bands,
        ReferenceParity.frozenLogits("u-convnext-micro", "unified_convnext_micro", bands));
  }

  @Test
  void pitTiny() throws IOException {
    assertParity("pit-ti", "pit_ti_224");
  }

  @Test
  void pitTinyWithItsMlpsInRowStreams() throws IOException {
    assertParity("pit-ti", "pit_ti_224", 2);
    assertParity("pit-ti", "pit_ti_224", 3);
  }

  private static void assertParity(String model, String fixture) throws IOException {
    assertParity(model, fixture, 1);
  }

  private static void assertParity(String model, String fixture, int rowStreams) throws IOException {
    assertParity(model, fixture, ModelGraph.Inference.ofRowStreams(rowStreams));
  }

  private static void assertParity(String model, String fixture, ModelGraph.Inference inference)
      throws IOException {
    assertParity(model, fixture, inference, ReferenceParity.logits(model, fixture, inference));
  }

  private static void assertParity(String model, String fixture, ModelGraph.Inference inference, float[][] actual)
      throws IOException {
    RawTensor expected = NpyFile.read(ReferenceParity.fixture(fixture + ".logits.npy"));
    double diff = ReferenceParity.maxAbsDifference(actual, expected);
    System.out.println(model + " (" + inference + ") max |logits - reference| = " + diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
  }
}
