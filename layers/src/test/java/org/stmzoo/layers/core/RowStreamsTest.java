package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.basic.ConvMlp;
import org.stmzoo.layers.basic.Mlp;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Row streams compute the same function as the unsplit layer, for any row count, including fewer rows than parts. */
class RowStreamsTest {
  private static float[] random(int n, long seed) {
    Random rng = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return v;
  }

  private static float[] run(Graph g, Placeholder<TFloat32> x, float[] data, Shape shape, Operand<TFloat32> out,
      Op init) {
    try (Session s = new Session(g); TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(data, true, false))) {
      if (init != null) {
        s.runner().addTarget(init).run();
      }
      try (TFloat32 result = (TFloat32) s.runner().feed(x, in).fetch(out).run().get(0)) {
        float[] values = new float[(int) result.size()];
        result.copyTo(DataBuffers.of(values, false, false));
        return values;
      }
    }
  }

  /** {@code tanh(x W + b)} over {@code rows} rows of 5 features, in {@code streams} parts. */
  private static float[] affineTanh(int rows, int streams) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
      Operand<TFloat32> w = tf.reshape(tf.constant(random(15, 2)), tf.constant(new long[] {5, 3}));
      Operand<TFloat32> b = tf.constant(random(3, 3));
      UnaryOperator<Operand<TFloat32>> f = r -> tf.math.tanh(tf.nn.biasAdd(tf.linalg.matMul(r, w), b));
      Operand<TFloat32> out = RowStreams.map(tf, x, streams, f);
      return run(g, x, random(rows * 5, 1), Shape.of(rows, 5), out, null);
    }
  }

  @Test
  void everySplitGivesTheUnsplitRowsInOrder() {
    for (int rows : new int[] {1, 3, 7, 18}) {
      float[] whole = affineTanh(rows, 1);
      assertThat(whole).hasSize(rows * 3);
      for (int streams : new int[] {2, 3, 4}) {
        assertThat(affineTanh(rows, streams)).as("%d rows in %d streams", rows, streams)
            .containsExactly(whole, within(1e-6f));
      }
    }
  }

  @Test
  void anMlpBuiltWithRowStreamsIsTheSameFunction() {
    assertSameWithStreams(Shape.of(2, 9, 8), scope -> new Mlp(scope, Mlp.Config.of(8, 4.0)));
    assertSameWithStreams(Shape.of(2, 3, 3, 8), scope -> new ConvMlp(scope, Mlp.Config.of(8, 4.0)));
  }

  /** The layer's output on random input of {@code shape}, built with 1 and with 2 row streams. */
  private static void assertSameWithStreams(Shape shape, java.util.function.Function<LayerScope, Layer> layer) {
    float[] input = random((int) shape.size(), 5);
    float[][] outputs = new float[2][];
    for (int streams = 1; streams <= 2; streams++) {
      try (Graph g = new Graph()) {
        ModelGraph model = ModelGraph.inferenceOnly(g, 7L, streams);
        long[] dims = shape.asArray();
        dims[0] = -1;
        Placeholder<TFloat32> x = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
        Operand<TFloat32> out = layer.apply(model.root().child("mlp")).call(x, model.training());
        outputs[streams - 1] = run(g, x, input, shape, out, model.initializer());
        long splits = 0;
        for (var it = g.operations(); it.hasNext(); ) {
          splits += it.next().type().equals("SplitV") ? 1 : 0;
        }
        assertThat(splits).isEqualTo(streams - 1);
      }
    }
    assertThat(outputs[0]).hasSize((int) shape.size()).containsExactly(outputs[1], within(1e-6f));
    double norm = 0;
    for (float v : outputs[0]) {
      norm += v * v;
    }
    assertThat(norm).as("the MLP's output is not all zeros").isGreaterThan(1e-3);
  }

  /** {@link RowStreams#split} of n entries of shape [n, 2, 3]: block sizes floor(n / parts), the last the rest. */
  @Test
  void splitCutsTheFirstAxisIntoOrderedBlocksSomeOfThemEmpty() {
    for (int n : new int[] {0, 1, 3, 5}) {
      for (int parts : new int[] {1, 2, 3}) {
        try (Graph g = new Graph()) {
          Ops tf = Ops.create(g);
          Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, 3)));
          var blocks = RowStreams.split(tf, x, parts);
          assertThat(blocks).hasSize(parts);
          float[] data = random(n * 6, 9);
          float[] joined = new float[0];
          for (int i = 0; i < parts; i++) {
            float[] block = run(g, x, data, Shape.of(n, 2, 3), tf.identity(blocks.get(i)), null);
            int expected = i < parts - 1 ? n / parts : n - (parts - 1) * (n / parts);
            assertThat(block).as("block %d of %d entries in %d parts", i, n, parts).hasSize(expected * 6);
            float[] longer = java.util.Arrays.copyOf(joined, joined.length + block.length);
            System.arraycopy(block, 0, longer, joined.length, block.length);
            joined = longer;
          }
          assertThat(joined).containsExactly(data);
        }
      }
    }
  }

  @Test
  void refusesNoStreamsAndInputsThatAreNotMatrices() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> matrix = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
      Placeholder<TFloat32> tokens = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 5)));
      assertThatThrownBy(() -> RowStreams.map(tf, matrix, 0, r -> r)).hasMessageContaining("streams must be >= 1");
      assertThatThrownBy(() -> RowStreams.map(tf, tokens, 2, r -> r)).hasMessageContaining("[rows, features]");
      assertThatThrownBy(() -> ModelGraph.inferenceOnly(g, 0L, 0)).hasMessageContaining("row streams must be >= 1");
      assertThatThrownBy(() -> RowStreams.split(tf, tokens, 0)).hasMessageContaining("parts must be >= 1");
      assertThatThrownBy(() -> ModelGraph.Inference.ofBatchStreams(0))
          .hasMessageContaining("batch streams must be >= 1");
    }
  }
}
