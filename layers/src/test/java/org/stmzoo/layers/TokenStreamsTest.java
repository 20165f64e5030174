package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Transformer blocks built with row streams cut the tokens into parts that attend over each other's keys and
 * values: the same function as the unsplit stack, for token counts that do and do not divide, and fewer tokens
 * than parts.
 */
class TokenStreamsTest {
  private static final TransformerBlock.Config CONFIG =
      new TransformerBlock.Config(16, 2, 2.0, true, 1e-6f, 0f, LinearInit.timm());

  /** Three blocks on {@code [2, tokens, 16]} random tokens, built with {@code streams} row streams. */
  private static float[] stack(int tokens, int streams) {
    Random rng = new Random(3);
    float[] input = new float[2 * tokens * 16];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) rng.nextGaussian();
    }
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L, streams);
      Placeholder<TFloat32> x = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, tokens, 16)));
      Layer blocks = TransformerBlock.stack(model.root().child("blocks"), CONFIG, new float[3]);
      Operand<TFloat32> out = blocks.call(x, model.training());
      boolean split = false;
      for (var it = g.operations(); it.hasNext(); ) {
        split |= it.next().type().equals("SplitV");
      }
      if (streams == 1 || tokens >= streams) {
        assertThat(split).as("%d tokens in %d streams", tokens, streams).isEqualTo(streams > 1);
      }
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2, tokens, 16), DataBuffers.of(input, true, false))) {
        s.runner().addTarget(model.initializer()).run();
        try (TFloat32 result = (TFloat32) s.runner().feed(x, in).fetch(out).run().get(0)) {
          assertThat(result.shape()).isEqualTo(Shape.of(2, tokens, 16));
          float[] values = new float[(int) result.size()];
          result.copyTo(DataBuffers.of(values, false, false));
          return values;
        }
      }
    }
  }

  @Test
  void streamedBlocksComputeTheUnsplitStack() {
    for (int tokens : new int[] {1, 7, 10}) {
      float[] whole = stack(tokens, 1);
      for (int streams : new int[] {2, 3}) {
        assertThat(stack(tokens, streams)).as("%d tokens in %d streams", tokens, streams)
            .containsExactly(whole, within(2e-5f));
      }
    }
  }
}
