package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;

/**
 * Every family's {@code features} output is what its head consumes: the head's own kernel and bias applied to
 * the features in Java give the model's logits. Distilled models average two heads over two tokens, so their
 * distillation head is tied to the class head first; the mean of the heads is then the head of the mean token.
 */
class ClassifierFeaturesTest {
  private static final int BATCH = 2;
  private static final int CLASSES = 5;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "u-convnext-micro, 64, head/fc, ", "u-halo-micro, 64, head/fc, ", "u-swin-micro, 64, head/fc, ",
      "u-pvt-micro, 64, head/fc, ", "u-dcnv3-micro, 64, head/fc, ", "pit-ti, 64, head, ", "deit-tiny, 32, head, ",
      "shiftvit-light-tiny, 64, head, ", "pit-ti-distilled, 64, head, head_dist",
      "deit-tiny-distilled, 32, head, head_dist"})
  void theHeadOfTheFeaturesIsTheLogits(String name, int size, String head, String distillationHead) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name),
          ModelOptions.imagenet().withNumClasses(CLASSES).withImageSize(size), g);
      try (ModelRunner runner = new ModelRunner(built, BATCH)) {
        float[] kernel = runner.read(head + "/kernel");
        float[] bias = runner.read(head + "/bias");
        if (distillationHead != null) {
          runner.assign(distillationHead + "/kernel", kernel);
          runner.assign(distillationHead + "/bias", bias);
        }
        float[] features = runner.run(built.output().features(), false);
        float[] logits = runner.run(false);
        int dim = features.length / BATCH;
        assertThat(kernel).hasSize(dim * CLASSES);
        assertThat(built.output().features().shape().asArray()).containsExactly(-1, dim);
        for (int b = 0; b < BATCH; b++) {
          for (int c = 0; c < CLASSES; c++) {
            double expected = bias[c];
            for (int i = 0; i < dim; i++) {
              expected += features[b * dim + i] * kernel[i * CLASSES + c];
            }
            assertThat(logits[b * CLASSES + c]).as("logit %d of image %d", c, b).isCloseTo((float) expected,
                within(1e-4f + 1e-4f * (float) Math.abs(expected)));
          }
        }
      }
    }
  }
}
