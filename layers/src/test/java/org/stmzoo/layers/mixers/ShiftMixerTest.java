package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The shift against a direct loop over the reference's slicing rules, forward and backward. */
class ShiftMixerTest {
  // C = 11 with n_div 4: groups of 2 channels move left, right, up, down; channels 8..10 stay.
  static final int B = 2;
  static final int H = 3;
  static final int W = 4;
  static final int C = 11;
  static final int N_DIV = 4;

  /** Where out[h, w, c] comes from, as {h, w}, or null where zero enters at the border. Written from the spec. */
  static int[] source(int h, int w, int c) {
    int g = C / N_DIV;
    int group = c < 4 * g ? c / g : 4;
    int sh = h;
    int sw = w;
    switch (group) {
      case 0 -> sw = w + 1; // left
      case 1 -> sw = w - 1; // right
      case 2 -> sh = h + 1; // up
      case 3 -> sh = h - 1; // down
      default -> { }
    }
    return sh < 0 || sh >= H || sw < 0 || sw >= W ? null : new int[] {sh, sw};
  }

  static int index(int b, int h, int w, int c) {
    return ((b * H + h) * W + w) * C + c;
  }

  @Test
  void movesFourChannelGroupsByOnePixelWithZeroFill() {
    float[] x = new float[B * H * W * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1; // distinct and non-zero, so a zero can only come from the fill
    }
    float[] expected = new float[x.length];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        for (int w = 0; w < W; w++) {
          for (int c = 0; c < C; c++) {
            int[] s = source(h, w, c);
            expected[index(b, h, w, c)] = s == null ? 0f : x[index(b, s[0], s[1], c)];
          }
        }
      }
    }
    try (Graph g = new Graph(); Session session = new Session(g)) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 0);
      Ops tf = model.tf();
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, W, C)));
      Operand<TFloat32> out = new ShiftMixer(model.root().child("shift"), new ShiftMixer.Config(N_DIV))
          .call(input, model.training());
      assertThat(out.shape().asArray()).containsExactly(-1, H, W, C);
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(B, H, W, C), DataBuffers.of(x));
          Result r = session.runner().feed(input, in).fetch(out).run()) {
        assertThat(read((TFloat32) r.get(0), x.length)).containsExactly(expected);
      }
    }
  }

  @Test
  void gradientIsTheOppositeShift() {
    float[] weights = new float[B * H * W * C];
    Random random = new Random(7);
    for (int i = 0; i < weights.length; i++) {
      weights[i] = random.nextFloat() - 0.5f;
    }
    // d/dx sum(shift(x) * weights): every output element passes its weight to the input it was copied from.
    float[] expected = new float[weights.length];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        for (int w = 0; w < W; w++) {
          for (int c = 0; c < C; c++) {
            int[] s = source(h, w, c);
            if (s != null) {
              expected[index(b, s[0], s[1], c)] += weights[index(b, h, w, c)];
            }
          }
        }
      }
    }
    try (Graph g = new Graph(); Session session = new Session(g)) {
      ModelGraph model = ModelGraph.create(g, 0);
      Ops tf = model.tf();
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, W, C)));
      Operand<TFloat32> out = new ShiftMixer(model.root().child("shift"), new ShiftMixer.Config(N_DIV))
          .call(input, model.training());
      Operand<TFloat32> loss = tf.reduceSum(
          tf.math.mul(out, tf.constant(Shape.of(B, H, W, C), DataBuffers.of(weights))), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {input.asOutput()});
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(B, H, W, C));
          Result r = session.runner().feed(input, in).fetch(grad[0]).run()) {
        assertThat(read((TFloat32) r.get(0), expected.length)).containsExactly(expected);
      }
    }
  }

  @Test
  void rejectsFewerThanFourGroups() {
    assertThatThrownBy(() -> new ShiftMixer.Config(3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n_div");
  }

  private static float[] read(TFloat32 t, int size) {
    float[] values = new float[size];
    t.copyTo(DataBuffers.of(values, false, false));
    return values;
  }
}
