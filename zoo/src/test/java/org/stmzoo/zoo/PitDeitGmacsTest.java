package org.stmzoo.zoo;

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
 * Multiply-accumulates per 224x224 image of every PiT and DeiT variant, within 3% of timm's published
 * {@code infer_gmacs} (results/benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv). The PiT figures are the
 * paper's (0.70/1.4/2.9/12.4 GFLOPs); the DeiT paper rounds its own to 1.3/4.6/17.6.
 */
class PitDeitGmacsTest {
  static Stream<Arguments> published() {
    return Stream.of(
        Arguments.of("pit-ti", 0.70), Arguments.of("pit-xs", 1.40), Arguments.of("pit-s", 2.88),
        Arguments.of("pit-b", 12.42),
        Arguments.of("deit-tiny", 1.26), Arguments.of("deit-small", 4.61), Arguments.of("deit-base", 17.58),
        // the distillation token and head add a little; the larger distilled variants differ the same way
        Arguments.of("pit-ti-distilled", 0.71), Arguments.of("deit-tiny-distilled", 1.27));
  }

  @ParameterizedTest(name = "{0} ~ {1} GMACs")
  @MethodSource("published")
  void matchesPublishedGmacs(String name, double gmacs) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), ModelOptions.imagenet(), g, 0L, 1, true);
      double measured = MacCounter.count(g, built.output().logits()) / 1e9;
      System.out.printf("%s: %.4f GMACs (published %.2f)%n", name, measured, gmacs);
      assertThat(measured).as(name).isCloseTo(gmacs, within(0.03 * gmacs));
    }
  }
}
