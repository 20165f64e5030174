package org.stmzoo.zoo.families.shiftvit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** The smallest ShiftViT runs, trains (gradients everywhere) and lays out its variables as the reference. */
class ShiftVitTest {
  static final String SMALLEST = "shiftvit-light-tiny";

  @ParameterizedTest(name = "{0}px, {1} classes")
  @CsvSource({"224, 1000", "64, 7"})
  void buildsAndReturnsBatchByClasses(int imageSize, int classes) {
    ModelOptions options = ModelOptions.imagenet().withImageSize(imageSize).withNumClasses(classes);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(SMALLEST), options, g, 1L, -1, true);
      session.runner().addTarget(built.model().initializer()).run().close();
      try (TFloat32 images = randomImages(2, imageSize);
          Result r = session.runner().feed(built.images(), images).fetch(built.output().logits()).run()) {
        TFloat32 logits = (TFloat32) r.get(0);
        assertThat(logits.shape().asArray()).containsExactly(2, classes);
        float[] values = new float[2 * classes];
        logits.copyTo(DataBuffers.of(values, false, false));
        for (float v : values) {
          assertThat(v).isFinite();
        }
        assertThat(values[0]).isNotEqualTo(values[classes]); // the two samples differ
      }
    }
  }

  @Test
  void everyTrainableVariableGetsAGradient() {
    // No drop path: a dropped residual branch would legitimately get a zero gradient.
    ModelOptions options = ModelOptions.imagenet().withImageSize(64).withNumClasses(5).withDropPathRate(0f);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(SMALLEST), options, g, 1L, -1, false);
      Ops tf = built.model().tf();
      List<ModelVariable> variables = built.model().trainableVariables();
      Operand<TFloat32> logits = built.output().logits();
      // A fixed random projection of the logits, so that no class's gradient cancels out.
      float[] projection = new float[2 * 5];
      Random random = new Random(5);
      for (int i = 0; i < projection.length; i++) {
        projection[i] = (float) random.nextGaussian();
      }
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(logits, tf.constant(Shape.of(2, 5),
          DataBuffers.of(projection))), tf.constant(new int[] {0, 1}));
      Output<?>[] xs = variables.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
      Session.Runner runner = session.runner();
      List<Operand<TFloat32>> norms = new ArrayList<>();
      for (int i = 0; i < grads.length; i++) {
        assertThat(grads[i]).as(variables.get(i).path()).isNotNull();
        @SuppressWarnings("unchecked")
        Operand<TFloat32> grad = (Operand<TFloat32>) grads[i];
        assertThat(grad.shape()).as(variables.get(i).path()).isEqualTo(variables.get(i).shape());
        Operand<TFloat32> norm = tf.reduceSum(tf.math.square(grad),
            tf.range(tf.constant(0), tf.rank(grad), tf.constant(1)));
        norms.add(norm);
        runner.fetch(norm);
      }
      session.runner().addTarget(built.model().initializer()).run().close();
      try (TFloat32 images = randomImages(2, 64); TBool training = TBool.scalarOf(true);
          Result r = runner.feed(built.images(), images).feed(built.model().training(), training).run()) {
        for (int i = 0; i < norms.size(); i++) {
          float squaredNorm = ((TFloat32) r.get(i)).getFloat();
          assertThat(squaredNorm).as(variables.get(i).path()).isFinite().isPositive();
        }
      }
    }
  }

  @Test
  void variablesMirrorTheReferenceStateDict() {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(SMALLEST), ModelOptions.imagenet(), g);
      Map<String, ModelVariable> vars = built.model().variables();
      // patch_embed 4 + 12 blocks x (norm2 2 + fc1 2 + fc2 2) + 3 downsamples x (norm 2 + reduction 1) + norm 2 + head 2
      assertThat(vars).hasSize(4 + 12 * 6 + 3 * 3 + 2 + 2);
      assertThat(vars.get("patch_embed/proj/kernel").shape()).isEqualTo(Shape.of(4, 4, 3, 96));
      assertThat(vars).containsKeys("patch_embed/proj/bias", "patch_embed/norm/gamma", "patch_embed/norm/beta");
      assertThat(vars.get("layers/0/blocks/1/mlp/fc1/kernel").shape()).isEqualTo(Shape.of(1, 1, 96, 384));
      assertThat(vars.get("layers/3/blocks/1/mlp/fc2/kernel").shape()).isEqualTo(Shape.of(1, 1, 3072, 768));
      assertThat(vars.get("layers/2/blocks/5/norm2/gamma").shape()).isEqualTo(Shape.of(384));
      assertThat(vars.get("layers/2/downsample/reduction/kernel").shape()).isEqualTo(Shape.of(2, 2, 384, 768));
      assertThat(vars).doesNotContainKey("layers/2/downsample/reduction/bias").doesNotContainKey("layers/3/downsample/norm/gamma");
      assertThat(vars.get("norm/gamma").shape()).isEqualTo(Shape.of(768));
      assertThat(vars.get("head/kernel").shape()).isEqualTo(Shape.of(768, 1000));
    }
  }

  @Test
  void imageSizeMustBeAMultipleOf32() {
    ModelEntry entry = ModelRegistry.get(SMALLEST);
    entry.checkImageSize(64);
    entry.checkImageSize(224);
    assertThatThrownBy(() -> entry.checkImageSize(100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple of 32");
    assertThat(ModelRegistry.get("shiftvit-r2-base").defaultDropPath()).isEqualTo(0.6f);
  }

  private static TFloat32 randomImages(int batch, int size) {
    float[] pixels = new float[batch * size * size * 3];
    Random random = new Random(11);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    return TFloat32.tensorOf(Shape.of(batch, size, size, 3), DataBuffers.of(pixels));
  }
}
