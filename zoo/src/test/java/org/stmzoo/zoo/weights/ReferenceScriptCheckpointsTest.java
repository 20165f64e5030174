package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.zoo.families.convnext.UnifiedConvNeXt;
import org.stmzoo.zoo.families.dcnv3.UnifiedDcnV3;
import org.stmzoo.zoo.families.deit.Deit;
import org.stmzoo.zoo.families.halo.UnifiedHalo;
import org.stmzoo.zoo.families.pit.Pit;
import org.stmzoo.zoo.families.pvt.UnifiedPvt;
import org.stmzoo.zoo.families.shiftvit.ShiftVit;
import org.stmzoo.zoo.families.swin.UnifiedSwin;
import org.stmzoo.zoo.families.unified.AttentionSizes;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * torch.save files as the reference training scripts write them (scripts/make-pickle-fixtures.py: STM-Evaluation's
 * save_model for the U-models, timm's CheckpointSaver for PiT, DeiT's main.py for DeiT, SPACH's for ShiftViT),
 * each around a tiny model of its family built by the reference code with random weights: importing the file
 * reproduces the reference logits. The tiny variants are the script's configurations. The first eight have one
 * block a stage and MetaArch's initial layer scales (1e-6 plus noise), so the U-models' blocks barely reach their
 * logits; the later ones have weights on a trained model's scale, where removing Swin's shift moves the logits by
 * about 0.3.
 */
class ReferenceScriptCheckpointsTest {
  private static final int CLASSES = 10;
  private static final int[] ONE_BLOCK = {1, 1, 1, 1};

  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of("u-convnext", 64, UnifiedConvNeXt.entry(
            new UnifiedConvNeXt.Variant("fixture", ONE_BLOCK, new int[] {4, 8, 12, 16}, 7, 0f))),
        Arguments.of("u-halo", 224, UnifiedHalo.entry(new UnifiedHalo.Variant(
            new AttentionSizes("fixture", ONE_BLOCK, new int[] {8, 8, 16, 16}, new int[] {1, 2, 4, 8}, 0f), 7, 3))),
        Arguments.of("u-swin", 224, UnifiedSwin.entry(new UnifiedSwin.Variant(
            new AttentionSizes("fixture", ONE_BLOCK, new int[] {4, 8, 12, 16}, new int[] {1, 2, 4, 8}, 0f), 7))),
        Arguments.of("u-pvt", 64, UnifiedPvt.entry(new UnifiedPvt.Variant("fixture", ONE_BLOCK,
            new int[] {4, 8, 20, 16}, new int[] {1, 2, 5, 8}, new int[] {8, 4, 2, 1}, new double[] {8, 8, 4, 4}, 0f))),
        Arguments.of("u-dcnv3", 64, UnifiedDcnV3.entry(new UnifiedDcnV3.Variant("fixture", 4, ONE_BLOCK, 4, 0f))),
        Arguments.of("pit", 64, Pit.entry(new Pit.Variant("fixture", 16, 8, new int[] {4, 4, 4},
            new int[] {1, 1, 1}, new int[] {1, 2, 4}, 4.0, false))),
        Arguments.of("deit", 64, Deit.entry(new Deit.Variant("fixture", 16, 16, 2, 2, 4.0, false))),
        Arguments.of("shiftvit", 64, ShiftVit.entry(
            new ShiftVit.Variant("fixture", "tiny", 4, ONE_BLOCK, 2.0, 4, 0f))),
        // Weights on a trained model's scale (the U-models' above hardly let their blocks reach the logits), and
        // what one block per stage leaves out: shifted windows on odd blocks (window 4 shifts by 2 on the 16x16
        // and 8x8 maps), PVT's blocks without pos_embed, halo and DCNv3 blocks after a stage's first; ShiftViT
        // channels beyond the four moving groups (n_div 6: 4 of 6 channels move in the first stage)
        Arguments.of("u-swin-shifted", 64, UnifiedSwin.entry(new UnifiedSwin.Variant(new AttentionSizes("fixture",
            new int[] {2, 2, 1, 1}, new int[] {4, 8, 8, 8}, new int[] {1, 2, 2, 4}, 0f), 4))),
        Arguments.of("u-pvt-two-blocks", 64, UnifiedPvt.entry(new UnifiedPvt.Variant("fixture",
            new int[] {2, 2, 1, 2}, new int[] {4, 4, 10, 8}, new int[] {1, 2, 5, 4}, new int[] {8, 4, 2, 1},
            new double[] {8, 8, 4, 4}, 0f))),
        Arguments.of("u-halo-two-blocks", 224, UnifiedHalo.entry(new UnifiedHalo.Variant(new AttentionSizes(
            "fixture", new int[] {2, 2, 2, 2}, new int[] {8, 8, 8, 8}, new int[] {1, 2, 4, 8}, 0f), 7, 3))),
        Arguments.of("u-convnext-trained-scale", 64, UnifiedConvNeXt.entry(
            new UnifiedConvNeXt.Variant("fixture", ONE_BLOCK, new int[] {4, 8, 8, 8}, 7, 0f))),
        Arguments.of("u-dcnv3-trained-scale", 64, UnifiedDcnV3.entry(
            new UnifiedDcnV3.Variant("fixture", 4, new int[] {2, 2, 1, 1}, 4, 0f))),
        Arguments.of("shiftvit-partial-shift", 64, ShiftVit.entry(
            new ShiftVit.Variant("fixture", "tiny", 6, ONE_BLOCK, 2.0, 6, 0f))));
  }

  static Path resource(String name) {
    try {
      return Path.of(ReferenceScriptCheckpointsTest.class.getResource("/checkpoints/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("test resource checkpoints/" + name + " is missing", e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  void importsTheTrainingCheckpointAndReproducesTheReferenceLogits(String family, int imageSize, ModelEntry entry)
      throws IOException {
    StateDict weights = ReferenceCheckpoints.read(resource("parity/" + family + ".pth"));
    RawTensor expected = NpyFile.read(resource("parity/" + family + ".logits.npy"));
    double diff = ReferenceParity.maxAbsDifference(logits(entry, imageSize, weights), expected);
    System.out.println(family + " (torch.save training checkpoint) max |logits - reference| = " + diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
  }

  @Test
  void emaPicksTheEmaWeights() throws IOException {
    ModelEntry entry = (ModelEntry) families().findFirst().orElseThrow().get()[2];
    Path file = resource("parity/u-convnext.pth");
    RawTensor model = NpyFile.read(resource("parity/u-convnext.logits.npy"));
    RawTensor ema = NpyFile.read(resource("parity/u-convnext.ema_logits.npy"));
    float[][] emaLogits = logits(entry, 64, ReferenceCheckpoints.read(file, StateDictChoice.EMA));
    assertThat(ReferenceParity.maxAbsDifference(emaLogits, ema)).isLessThanOrEqualTo(1e-4);
    // the two weight sets differ enough that picking the wrong one could not pass
    assertThat(ReferenceParity.maxAbsDifference(emaLogits, model)).isGreaterThan(1e-2);
  }

  /** The reference's input: element i of the flattened NCHW batch [2, 3, S, S] is ((37 i) mod 101) / 50 - 1. */
  static RawTensor input(int size) {
    int batch = 2;
    float[] nhwc = new float[batch * size * size * 3];
    for (int n = 0; n < batch; n++) {
      for (int c = 0; c < 3; c++) {
        for (int h = 0; h < size; h++) {
          for (int w = 0; w < size; w++) {
            long i = ((long) (n * 3 + c) * size + h) * size + w;
            nhwc[((n * size + h) * size + w) * 3 + c] = (float) (((i * 37) % 101) / 50.0 - 1.0);
          }
        }
      }
    }
    return new RawTensor(new long[] {batch, size, size, 3}, nhwc);
  }

  private static float[][] logits(ModelEntry entry, int imageSize, StateDict weights) {
    ModelOptions options = ModelOptions.imagenet().withNumClasses(CLASSES).withImageSize(imageSize);
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, g, 0L, -1, true);
      try (Session session = new Session(g)) {
        ModelImport.apply(built, weights, session);
        return Logits.compute(session, built, input(imageSize));
      }
    }
  }

  @Test
  void aFileWithOnlyEmaWeightsNamesWhatItHolds() {
    assertThatThrownBy(() -> ReferenceCheckpoints.read(resource("structure/ema_only.pth")))
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("ema_only.pth")
        .hasMessageContaining("no state dict under model or state_dict nor at the top level")
        .hasMessageContaining("state dicts under [model_ema]")
        .hasMessageContaining("--ema");
  }
}
