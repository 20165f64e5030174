package org.stmzoo.layers.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * In a graph built with row streams the patch embedding runs as that many bands of output rows, each convolved from
 * its own band of image rows (overlapping where the patches do), and gives the same map as one convolution.
 */
class PatchEmbeddingTest {
  @ParameterizedTest
  @CsvSource({"16, 8, 64", "16, 8, 61", "4, 4, 36", "16, 16, 48", "16, 16, 53", "7, 3, 20"})
  void bandsGiveTheSameMap(int patch, int stride, int size) {
    PatchEmbedding.Config config = new PatchEmbedding.Config(3, 8, patch, stride);
    Random random = new Random(size);
    float[] image = new float[size * size * 3];
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) random.nextGaussian();
    }
    float[] whole = embed(config, image, size, 1);
    int grid = config.gridSize(size);
    assertThat(whole).hasSize(grid * grid * 8);
    for (int streams : new int[] {2, 3}) {
      float[] banded = embed(config, image, size, streams);
      for (int i = 0; i < whole.length; i++) {
        assertThat(banded[i]).as("%d streams, element %d", streams, i).isCloseTo(whole[i], within(1e-5f));
      }
    }
  }

  private static float[] embed(PatchEmbedding.Config config, float[] image, int size, int streams) {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1L, streams);
      Placeholder<TFloat32> input = model.tf().placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, size, size, 3)));
      Operand<TFloat32> map = new PatchEmbedding(model.root().child("conv"), config).call(input, model.training());
      int grid = config.gridSize(size);
      assertThat(map.shape()).isEqualTo(Shape.of(1, grid, grid, 8));
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      String product = config.patch() == config.stride() ? "MatMul" : "Conv2D";
      assertThat(types.stream().filter(product::equals)).as("one %s per band", product)
          .hasSize(Math.min(streams, grid));
      List<Tensor> fed = new ArrayList<>();
      try (Session s = new Session(g)) {
        Session.Runner runner = s.runner();
        Random weights = new Random(99);
        for (ModelVariable v : model.variables().values()) {
          float[] values = new float[Math.toIntExact(v.size())];
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) weights.nextGaussian() * 0.1f;
          }
          TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
          fed.add(t);
          runner.feed(v.value(), t);
        }
        TFloat32 in = TFloat32.tensorOf(Shape.of(1, size, size, 3), DataBuffers.of(image, true, false));
        fed.add(in);
        try (TFloat32 out = (TFloat32) runner.feed(input, in).fetch(map).run().get(0)) {
          float[] values = new float[Math.toIntExact(out.shape().size())];
          out.copyTo(DataBuffers.of(values, false, false));
          return values;
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }
}
