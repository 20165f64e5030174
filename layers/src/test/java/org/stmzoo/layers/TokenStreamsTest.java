package org.stmzoo.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.attention.TransformerBlock;
import org.stmzoo.layers.basic.LinearInit;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
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
 * than parts. With frozen weights and few tokens per stream they share out heads and hidden units instead.
 */
class TokenStreamsTest {
  private static final TransformerBlock.Config CONFIG =
      new TransformerBlock.Config(16, 2, 2.0, true, 1e-6f, 0f, LinearInit.timm());

  /** Three blocks on {@code [2, tokens, 16]} random tokens, built with {@code streams} row streams. */
  private static float[] stack(int tokens, int streams) {
    float[] input = random(2 * tokens * 16, 3);
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

  /** Three heads of width 4, MLP ratio 3: heads and hidden units that two shares cannot split evenly. */
  private static final TransformerBlock.Config THREE_HEADS =
      new TransformerBlock.Config(12, 3, 3.0, true, 1e-6f, 0f, LinearInit.timm());

  private static float[] random(int n, long seed) {
    Random rng = new Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextGaussian();
    }
    return values;
  }

  private static float[] run(Session s, Placeholder<TFloat32> x, Operand<TFloat32> out, int tokens) {
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(2, tokens, 12), DataBuffers.of(random(2 * tokens * 12, 3), true,
        false)); TFloat32 result = (TFloat32) s.runner().feed(x, in).fetch(out).run().get(0)) {
      float[] values = new float[(int) result.size()];
      result.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  /**
   * Two blocks on {@code [2, tokens, 12]} with variables (no streams), every weight set to a random value of
   * standard deviation 0.3; {@code frozen} receives the output of the same weights frozen into a graph with
   * {@code streams} row streams, whose op names {@code names} receives.
   */
  private static float[] unsplitAndFrozen(int tokens, int streams, float[][] frozen, List<String> names) {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      Placeholder<TFloat32> x = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, tokens, 12)));
      Operand<TFloat32> out = TransformerBlock.stack(model.root().child("blocks"), THREE_HEADS, new float[2])
          .call(x, model.training());
      try (Session s = new Session(g)) {
        s.runner().addTarget(model.initializer()).run();
        long seed = 11;
        for (ModelVariable v : model.variables().values()) {
          float[] values = random((int) v.size(), seed++);
          for (int i = 0; i < values.length; i++) {
            values[i] *= 0.3f;
          }
          s.run(model.tf().assignVariableOp(v.handle(), model.tf().reshape(model.tf().constant(values),
              model.tf().constant(v.shape().asArray()))));
        }
        float[] expected = run(s, x, out, tokens);
        try (FrozenWeights weights = FrozenWeights.read(s, model); Graph fg = new Graph()) {
          ModelGraph streamed = ModelGraph.inferenceOnly(fg, 5L, ModelGraph.Inference.ofRowStreams(streams), weights);
          Placeholder<TFloat32> fx = streamed.tf().placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, tokens, 12)));
          Operand<TFloat32> fout = TransformerBlock.stack(streamed.root().child("blocks"), THREE_HEADS, new float[2])
              .call(fx, streamed.training());
          fg.operations().forEachRemaining(op -> names.add(op.type() + " " + op.name()));
          try (Session fs = new Session(fg)) {
            frozen[0] = run(fs, fx, fout, tokens);
          }
        }
        return expected;
      }
    }
  }

  @Test
  void blocksInSharesOfHeadsComputeTheUnsplitStack() {
    for (int streams : new int[] {2, 3}) {
      float[][] frozen = new float[1][];
      List<String> names = new ArrayList<>();
      float[] expected = unsplitAndFrozen(7, streams, frozen, names);
      assertThat(frozen[0]).as("7 tokens, %d shares", streams).containsExactly(expected, within(2e-5f));
      // each share computes with constants of its own columns and rows, and the tokens are not cut
      assertThat(names).contains("PlaceholderWithDefault blocks.0.attn.qkv.kernel_share0.read",
          "PlaceholderWithDefault blocks.1.mlp.fc2.kernel_share" + (streams - 1) + ".read");
      assertThat(names).anyMatch(n -> n.startsWith("AddN "))
          .noneMatch(n -> n.startsWith("SplitV ") || n.startsWith("GatherV2 "));
    }
    // enough tokens per stream: cut into parts of the tokens, the full weights
    float[][] frozen = new float[1][];
    List<String> names = new ArrayList<>();
    float[] expected = unsplitAndFrozen(70, 2, frozen, names);
    assertThat(frozen[0]).containsExactly(expected, within(2e-5f));
    assertThat(names).anyMatch(n -> n.startsWith("SplitV ")).noneMatch(n -> n.contains("_share"));
  }

  @Test
  void sharesAreForInferenceAndAtMostOnePerHead() {
    try (Graph g = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 5L);
      TransformerBlock block = new TransformerBlock(model.root().child("block"), THREE_HEADS);
      Operand<TFloat32> rows = model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 12)));
      assertThatThrownBy(() -> block.callInShares(rows, 7, 2, model.tf().constant(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inference");
      assertThatThrownBy(() -> block.callInShares(rows, 7, 4, model.training()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 shares of 3 heads");
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
