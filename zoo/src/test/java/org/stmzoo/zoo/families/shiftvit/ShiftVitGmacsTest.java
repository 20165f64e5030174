package org.stmzoo.zoo.families.shiftvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.layers.core.MacCounter;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;

/**
 * Multiply-accumulates per 224x224 image: exactly the hand-derived count of the 1x1-conv MLPs, the stem,
 * the patch mergings and the head (the shift costs none), and within 3% of the GFLOPs the ShiftViT paper
 * publishes (which count MACs, as fvcore does).
 */
class ShiftVitGmacsTest {
  static Stream<Arguments> published() {
    return Stream.of(
        Arguments.of("light", "tiny", 3.0),
        Arguments.of("r2", "tiny", 4.5),
        Arguments.of("light", "small", 5.7),
        Arguments.of("r2", "small", 8.8));
  }

  @ParameterizedTest(name = "shiftvit-{0}-{1}: {2} GMACs")
  @MethodSource("published")
  void matchesPublishedFigure(String kind, String size, double publishedGmacs) {
    ShiftVit.Variant variant = ShiftVit.VARIANTS.stream()
        .filter(v -> v.kind().equals(kind) && v.size().equals(size)).findFirst().orElseThrow();
    long macs;
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(variant.name()), ModelOptions.imagenet(), g, 0L, 1, true);
      macs = MacCounter.count(g, built.output().logits());
    }
    System.out.printf("%s: %.4f GMACs%n", variant.name(), macs / 1e9);
    assertThat(macs).isEqualTo(expectedMacs(variant, 224, 3, 1000));
    assertThat(macs / 1e9).isCloseTo(publishedGmacs, within(0.03 * publishedGmacs));
  }

  /** Counted layer by layer from the architecture, independently of the graph. */
  static long expectedMacs(ShiftVit.Variant v, int imageSize, int inChannels, int classes) {
    int side = imageSize / 4;
    long total = (long) side * side * v.embedDim() * inChannels * 4 * 4; // patch_embed.proj
    int stages = v.depths().length;
    for (int i = 0; i < stages; i++) {
      long dim = (long) v.embedDim() << i;
      long hidden = (long) (dim * v.mlpRatio());
      total += v.depths()[i] * (long) side * side * 2 * dim * hidden; // fc1 + fc2 of every block
      if (i < stages - 1) {
        side /= 2;
        total += (long) side * side * (2 * dim) * dim * 2 * 2; // downsample.reduction
      }
    }
    return total + ((long) v.embedDim() << (stages - 1)) * classes; // head
  }
}
