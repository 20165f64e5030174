package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** The smallest PiT and DeiT build at 224 and at small sizes, and their distilled variants combine both heads. */
class PitDeitModelTest {
  private static final int BATCH = 2;
  private static final int CLASSES = 7;

  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({"pit-ti, 224", "pit-ti, 64", "pit-ti, 96", "deit-tiny, 224", "deit-tiny, 64"})
  void returnsLogitsPerImage(String name, int size) {
    ModelOptions options = ModelOptions.imagenet().withNumClasses(CLASSES).withImageSize(size);
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), options, g);
      assertThat(built.output().logits().shape().asArray()).containsExactly(-1, CLASSES);
      float[] logits = ModelRunner.infer(built, BATCH);
      assertThat(logits).hasSize(BATCH * CLASSES).doesNotContain(Float.NaN, Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"pit-ti-distilled", "deit-tiny-distilled"})
  void everyTrainableVariableGetsAGradient(String name) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withImageSize(32).withNumClasses(CLASSES), g);
      List<ModelVariable> vars = built.model().trainableVariables();
      Output<?>[] grads = ModelRunner.gradients(built, vars);
      for (int i = 0; i < vars.size(); i++) {
        assertThat(grads[i]).as("gradient of " + vars.get(i).path()).isNotNull();
      }
    }
  }

  @Test
  void pitPositionEmbeddingIsAnNhwcMapSizedForTheImage() {
    // PiT-Ti: patch 16, stride 8, no padding -> (64 - 16) / 8 + 1 = 7; stage widths 32*2, 32*4, 32*8.
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("pit-ti"), ModelOptions.imagenet().withImageSize(64), g);
      var variables = built.model().variables();
      assertThat(variables.get("pos_embed").shape()).isEqualTo(Shape.of(1, 7, 7, 64));
      assertThat(variables.get("cls_token").shape()).isEqualTo(Shape.of(1, 1, 64));
      assertThat(variables.get("patch_embed/conv/kernel").shape()).isEqualTo(Shape.of(16, 16, 3, 64));
      // depthwise k3 with two outputs per channel, and the token Linear, between stages
      assertThat(variables.get("transformers/0/pool/conv/kernel").shape()).isEqualTo(Shape.of(3, 3, 64, 2));
      assertThat(variables.get("transformers/1/pool/fc/kernel").shape()).isEqualTo(Shape.of(128, 256));
      assertThat(variables.get("transformers/2/blocks/3/attn/qkv/kernel").shape()).isEqualTo(Shape.of(256, 768));
      assertThat(variables.get("transformers/2/blocks/3/mlp/fc1/kernel").shape()).isEqualTo(Shape.of(256, 1024));
      assertThat(variables).doesNotContainKey("transformers/2/pool/conv/kernel");
      // 7 -> 4 -> 2 with k3 s2 p1 (batch dynamic: Shape.equals is false for unknown dimensions)
      assertThat(built.model().features().get("stage1").shape().asArray()).containsExactly(-1, 4, 4, 128);
      assertThat(built.model().features().get("stage2").shape().asArray()).containsExactly(-1, 2, 2, 256);
    }
  }

  @Test
  void deitPositionEmbeddingCoversPrefixTokensAndPatches() {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("deit-tiny-distilled"),
          ModelOptions.imagenet().withImageSize(64), g);
      var variables = built.model().variables();
      // (64 / 16)^2 = 16 patches + class + distillation token
      assertThat(variables.get("pos_embed").shape()).isEqualTo(Shape.of(1, 18, 192));
      assertThat(variables.get("dist_token").shape()).isEqualTo(Shape.of(1, 1, 192));
      assertThat(variables.get("blocks/11/attn/proj/kernel").shape()).isEqualTo(Shape.of(192, 192));
      assertThat(variables.get("head_dist/kernel").shape()).isEqualTo(Shape.of(192, 1000));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"pit-ti", "pit-b", "deit-tiny"})
  void rejectsSizesThePatchesDoNotCover(String name) {
    ModelOptions options = ModelOptions.imagenet().withImageSize(100);
    try (Graph g = new Graph()) {
      assertThatThrownBy(() -> BuiltModel.build(ModelRegistry.get(name), options, g))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot take image size 100")
          .hasMessageContaining("patch");
    }
  }

  @Test
  void pitBTakesMultiplesOfItsStride() {
    // PiT-B: patch 14, stride 7; 98 = 14 + 12 * 7 -> grid 13.
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("pit-b"), ModelOptions.imagenet().withImageSize(98), g);
      assertThat(built.model().variables().get("pos_embed").shape()).isEqualTo(Shape.of(1, 13, 13, 256));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"pit-ti-distilled", "deit-tiny-distilled"})
  void distilledInferenceAveragesBothHeadsAndTrainingReturnsBoth(String name) {
    // No drop path, so training and inference differ only in how the heads are combined.
    ModelOptions options = ModelOptions.imagenet().withNumClasses(CLASSES).withImageSize(64).withDropPathRate(0f);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), options, g, 5L, -1, false);
      ClassifierOutput out = built.output();
      assertThat(out.distillationLogits()).isPresent();
      session.run(built.model().initializer());
      try (TFloat32 images = randomImages(64)) {
        float[][][] inference = run(session, built, images, false);
        float[][][] training = run(session, built, images, true);
        boolean headsDiffer = false;
        for (int b = 0; b < BATCH; b++) {
          for (int c = 0; c < CLASSES; c++) {
            float cls = training[0][b][c];
            float dist = training[1][b][c];
            assertThat(inference[1][b][c]).isCloseTo(dist, within(1e-5f));
            assertThat(inference[0][b][c]).isCloseTo((cls + dist) / 2, within(1e-5f));
            headsDiffer |= Math.abs(cls - dist) > 1e-4f;
          }
        }
        assertThat(headsDiffer).as("class and distillation heads are independent").isTrue();
      }
    }
  }

  /** {logits, distillation logits} as [2][batch][classes]. */
  private static float[][][] run(Session session, BuiltModel built, TFloat32 images, boolean trainingMode) {
    try (TBool training = TBool.scalarOf(trainingMode);
         Result result = session.runner().feed(built.images(), images).feed(built.model().training(), training)
             .fetch(built.output().logits()).fetch(built.output().distillationLogits().orElseThrow()).run()) {
      float[][][] values = new float[2][BATCH][CLASSES];
      for (int k = 0; k < 2; k++) {
        TFloat32 t = (TFloat32) result.get(k);
        assertThat(t.shape()).isEqualTo(Shape.of(BATCH, CLASSES));
        for (int b = 0; b < BATCH; b++) {
          for (int c = 0; c < CLASSES; c++) {
            values[k][b][c] = t.getFloat(b, c);
          }
        }
      }
      return values;
    }
  }

  private static TFloat32 randomImages(int size) {
    Random random = new Random(11);
    float[] pixels = new float[BATCH * size * size * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    return TFloat32.tensorOf(Shape.of(BATCH, size, size, 3), DataBuffers.of(pixels, true, false));
  }
}
