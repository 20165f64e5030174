package org.stmzoo.zoo.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A model built with two row streams (the latency plan's graph) computes the same logits as the one-stream graph,
 * at 224x224, with every variable random (so layer scales do not hide the mixers). A U-model runs as two
 * horizontal bands from the image on (stem and downsampling convolutions with halo rows; norms, MLPs, residuals per
 * band; each mixer's band form or the joined map; maps of 56, 28, 14 rows in bands, the 7-row stage whole), and its
 * attention products are in the form for one thread per op ({@code BatchMatMulV3}).
 */
class BandedStagesTest {
  /**
   * @param splits how often the banded graph cuts a map into bands: the image once, since it stays in bands
   *     through the stem, the downsampling and three stages (a block whose mixer ran on the joined map would cut
   *     it again)
   * @param attention whether the model's mixer is an attention (whose products the banded graph builds for one
   *     thread per op)
   */
  @ParameterizedTest
  @CsvSource({"u-swin-micro, 1, true", "u-pvt-micro, 1, true", "u-convnext-micro, 1, false",
      "u-halo-micro, 1, true", "u-dcnv3-micro, 1, false"})
  void bandedGraphComputesTheSameLogits(String model, int splits, boolean attention) {
    float[] whole = logits(model, ModelGraph.Inference.PLAIN, types -> checkGraph(types, 0, false));
    float[] banded = logits(model, ThreadPlan.latency(2).graph(), types -> checkGraph(types, splits, attention));
    assertSameLogits(model, whole, banded);
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
    double scale = 1;
    double max = 0;
    for (int i = 0; i < whole.length; i++) {
      scale = Math.max(scale, Math.abs(whole[i]));
      max = Math.max(max, Math.abs(whole[i] - banded[i]));
    }
    System.out.println(model + ": max |banded - whole| = " + max + " (largest logit " + scale + ")");
    assertThat(max).as(model).isLessThanOrEqualTo(1e-4 * scale);
  }

  /**
   * @param splits how often the graph cuts a map into bands
   * @param oneThreadProducts whether attention's products are built for one thread per op
   */
  private static void checkGraph(Map<String, Integer> types, int splits, boolean oneThreadProducts) {
    assertThat(types.getOrDefault("Split", 0)).as("maps cut into bands").isEqualTo(splits);
    assertThat(types.containsKey("BatchMatMulV3")).as("attention products for one thread")
        .isEqualTo(oneThreadProducts);
    if (oneThreadProducts) {
      assertThat(types).doesNotContainKey("BatchMatMulV2");
    }
  }

  /** The logits of one image through {@code name} with random variables, after {@code graphCheck} saw its op types. */
  private static float[] logits(String name, ModelGraph.Inference inference,
      Consumer<Map<String, Integer>> graphCheck) {
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(name), ModelOptions.imagenet(), 1,
          ModelGraph.inferenceOnly(g, 0L, inference));
      Map<String, Integer> types = new HashMap<>();
      g.operations().forEachRemaining(op -> types.merge(((GraphOperation) op).type(), 1, Integer::sum));
      graphCheck.accept(types);
      Random random = new Random(7);
      List<Tensor> fed = new ArrayList<>();
      try (Session session = new Session(g)) {
        Session.Runner runner = session.runner();
        for (ModelVariable v : built.model().variables().values()) {
          float[] values = new float[Math.toIntExact(v.size())];
          boolean variance = v.path().endsWith("moving_variance");
          for (int i = 0; i < values.length; i++) {
            values[i] = variance ? 0.5f + random.nextFloat() : (random.nextFloat() * 2 - 1) * 0.3f;
          }
          TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
          fed.add(t);
          runner.feed(v.value(), t);
        }
        float[] pixels = new float[224 * 224 * 3];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (float) random.nextGaussian();
        }
        TFloat32 images = TFloat32.tensorOf(Shape.of(1, 224, 224, 3), DataBuffers.of(pixels, true, false));
        fed.add(images);
        try (TFloat32 out = (TFloat32) runner.feed(built.images(), images).fetch(built.output().logits()).run()
            .get(0)) {
          float[] values = new float[Math.toIntExact(out.size())];
          out.copyTo(DataBuffers.of(values, false, false));
          return values;
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }
}
