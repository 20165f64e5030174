package org.stmzoo.layers.mixers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class BilinearSamplerTest {
  // value [B=2, H=3, W=4, G=2, D=2]
  static final int B = 2;
  static final int H = 3;
  static final int W = 4;
  static final int G = 2;
  static final int D = 2;

  /** Samples value at (y, x) [B, 1, G, P] and returns [B, 1, G, P, D]. */
  private static float[] sample(float[] value, float[] ys, float[] xs, int points) {
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> v = g.input("value", Shape.of(B, H, W, G, D), value);
      Operand<TFloat32> y = g.input("y", Shape.of(B, 1, G, points), ys);
      Operand<TFloat32> x = g.input("x", Shape.of(B, 1, G, points), xs);
      return g.run(BilinearSampler.sample(g.tf(), v, y, x));
    }
  }

  private static float at(float[] value, int b, int r, int c, int g, int d) {
    return value[(((b * H + r) * W + c) * G + g) * D + d];
  }

  /** The kernel's rule, written out: each neighbour inside the map contributes weight * value. */
  private static double direct(float[] value, int b, int g, int d, double y, double x) {
    int r0 = (int) Math.floor(y);
    int c0 = (int) Math.floor(x);
    double fy = y - r0;
    double fx = x - c0;
    double sum = 0;
    for (int dr = 0; dr <= 1; dr++) {
      for (int dc = 0; dc <= 1; dc++) {
        int r = r0 + dr;
        int c = c0 + dc;
        if (r >= 0 && r < H && c >= 0 && c < W) {
          sum += (dr == 1 ? fy : 1 - fy) * (dc == 1 ? fx : 1 - fx) * at(value, b, r, c, g, d);
        }
      }
    }
    return sum;
  }

  private static float[] randomValue() {
    return TinyGraph.uniform(new Random(3), B * H * W * G * D, 1f);
  }

  /** One sample: batch b, group g, point k at flat location index loc, channel d. */
  private interface SampleCheck {
    void check(int b, int g, int k, int loc, int d);
  }

  /**
   * Samples at {@code yx} pairs cycled over all [B, 1, G, points] locations (so batches and groups get
   * different ones when the list is longer than {@code points}) and runs {@code check} on every output.
   */
  private static void sampleCycling(float[] value, float[][] yx, int points, SampleCheck check, float[] out,
      float[] ys, float[] xs) {
    for (int i = 0; i < ys.length; i++) {
      ys[i] = yx[i % yx.length][0];
      xs[i] = yx[i % yx.length][1];
    }
    System.arraycopy(sample(value, ys, xs, points), 0, out, 0, out.length);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int k = 0; k < points; k++) {
          for (int d = 0; d < D; d++) {
            check.check(b, g, k, (b * G + g) * points + k, d);
          }
        }
      }
    }
  }

  @Test
  void integerLocationsReadTheMapExactly() {
    float[] value = randomValue();
    float[][] rc = {{0, 0}, {2, 3}, {1, 2}, {2, 0}, {0, 3}, {1, 1}};
    int p = 3;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    float[] out = new float[B * G * p * D];
    sampleCycling(value, rc, p, (b, g, k, loc, d) -> assertThat(out[loc * D + d])
        .isEqualTo(at(value, b, (int) ys[loc], (int) xs[loc], g, d)), out, ys, xs);
  }

  @Test
  void fractionalAndOutOfRangeLocationsMatchTheDirectRule() {
    float[] value = randomValue();
    float[][] yx = {
        {0.25f, 1.5f}, {1.7f, 2.2f}, {0.5f, 0.5f}, // inside
        {-0.5f, 1f}, {2.5f, 3.5f}, {-0.25f, -0.75f}, // partly outside: only inside neighbours count
        {-1f, 0f}, {-1.5f, 1f}, {3f, 0f}, {1f, 4.2f}, {-7f, 9f}}; // wholly outside: zero
    int p = yx.length;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    float[] out = new float[B * G * p * D];
    sampleCycling(value, yx, p, (b, g, k, loc, d) -> {
      assertThat((double) out[loc * D + d]).as("b%d g%d %s", b, g, java.util.Arrays.toString(yx[k]))
          .isCloseTo(direct(value, b, g, d, ys[loc], xs[loc]), within(1e-6));
      if (k >= 6) {
        assertThat(out[loc * D + d]).isZero();
      }
    }, out, ys, xs);
    // by hand: (-0.5, 1) lies halfway between row -1 (outside, reads 0) and row 0
    assertThat((double) out[3 * D]).isCloseTo(0.5 * at(value, 0, 0, 1, 0, 0), within(1e-6));
  }

  @Test
  void weightedSumIsThePointWeightedSumOfTheSamples() {
    float[] value = randomValue();
    // inside, fractional, partly and wholly outside, and a point far away (its neighbours clamp to the border)
    float[][] yx = {{0.25f, 1.5f}, {1.7f, 2.2f}, {-0.5f, 1f}, {2.5f, 3.5f}, {-7f, 9f}, {1e6f, -3e5f}, {2f, 3f}};
    int p = yx.length;
    float[] ys = new float[B * G * p];
    float[] xs = new float[B * G * p];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = yx[i % p][0];
      xs[i] = yx[i % p][1];
    }
    float[] weights = TinyGraph.uniform(new Random(5), B * G * p, 1f);
    float[] out;
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> v = g.input("value", Shape.of(B, H, W, G, D), value);
      Operand<TFloat32> y = g.input("y", Shape.of(B, 1, G, p), ys);
      Operand<TFloat32> x = g.input("x", Shape.of(B, 1, G, p), xs);
      Operand<TFloat32> w = g.input("w", Shape.of(B, 1, G, p), weights);
      out = g.run(BilinearSampler.weightedSum(g.tf(), v, y, x, w));
    }
    assertThat(out).hasSize(B * G * D);
    for (int b = 0; b < B; b++) {
      for (int g = 0; g < G; g++) {
        for (int d = 0; d < D; d++) {
          double expected = 0;
          for (int k = 0; k < p; k++) {
            int loc = (b * G + g) * p + k;
            expected += weights[loc] * direct(value, b, g, d, ys[loc], xs[loc]);
          }
          assertThat((double) out[(b * G + g) * D + d]).as("b%d g%d d%d", b, g, d).isCloseTo(expected, within(1e-5));
        }
      }
    }
  }

  /**
   * In a trained graph the weighted sum's backward pass gathers the neighbour rows again: its gradients for the map,
   * both coordinates and the point weights are TF's op-by-op gradients of the inference form, and the forward
   * gather's only reader is the forward product (nothing of it is kept for the backward pass).
   */
  @Test
  void weightedSumGradientsAreTheOpByOpGradientsWithoutKeepingTheGatheredRows() {
    float[][] yx = {{0.25f, 1.5f}, {1.7f, 2.2f}, {-0.5f, 1.3f}, {2.5f, 3.5f}, {-7.4f, 9.1f}, {2.6f, -0.6f},
        {0.4f, 2.9f}};
    int p = yx.length;
    int l = 3; // queries
    Random random = new Random(11);
    float[] ys = new float[B * l * G * p];
    float[] xs = new float[ys.length];
    for (int i = 0; i < ys.length; i++) {
      // every (batch, query, group) its own jitter of the list, fractions kept away from the pixel lines
      ys[i] = yx[i % p][0] + 0.1f * random.nextInt(3);
      xs[i] = yx[(i + i / p) % p][1] + 0.1f * random.nextInt(3);
    }
    try (TinyGraph g = new TinyGraph()) {
      Operand<TFloat32> v = g.input("value", Shape.of(B, H, W, G, D), randomValue());
      Operand<TFloat32> y = g.input("y", Shape.of(B, l, G, p), ys);
      Operand<TFloat32> x = g.input("x", Shape.of(B, l, G, p), xs);
      Operand<TFloat32> w = g.input("w", Shape.of(B, l, G, p), TinyGraph.uniform(random, ys.length, 1f));
      var tf = g.tf();
      Operand<TFloat32> stored = BilinearSampler.weightedSum(tf, v, y, x, w,
          tf.placeholderWithDefault(tf.constant(true), Shape.scalar()));
      Operand<TFloat32> plain = BilinearSampler.weightedSum(tf, v, y, x, w);
      assertThat(stored).isNotSameAs(plain);
      Operand<TFloat32> r = tf.constant(Shape.of(B, l, G, D),
          DataBuffers.of(TinyGraph.uniform(random, B * l * G * D, 1f)));
      List<Output<?>> fetches = new ArrayList<>(
          List.of(stored.asOutput(), plain.asOutput()));
      Output<?>[] wrt = {v.asOutput(), y.asOutput(), x.asOutput(), w.asOutput()};
      Output<?>[] storedGrads = g.graph.addGradients(
          tf.reduceSum(tf.math.mul(stored, r), tf.constant(new int[] {0, 1, 2, 3})).asOutput(), wrt);
      Output<?>[] plainGrads = g.graph.addGradients(
          tf.reduceSum(tf.math.mul(plain, r), tf.constant(new int[] {0, 1, 2, 3})).asOutput(), wrt);
      for (int k = 0; k < wrt.length; k++) {
        fetches.add(storedGrads[k]);
        fetches.add(plainGrads[k]);
      }
      List<float[]> out = g.run(fetches);
      assertThat(out.get(0)).containsExactly(out.get(1));
      String[] names = {"value", "y", "x", "weights"};
      for (int k = 0; k < wrt.length; k++) {
        float[] mine = out.get(2 + 2 * k);
        float[] reference = out.get(3 + 2 * k);
        assertThat(mine).hasSameSizeAs(reference);
        float scale = 0;
        for (float e : reference) {
          scale = Math.max(scale, Math.abs(e));
        }
        assertThat(scale).as("d/d%s is not trivially zero", names[k]).isGreaterThan(0.1f);
        for (int i = 0; i < mine.length; i++) {
          assertThat(mine[i]).as("d/d%s[%d]", names[k], i).isCloseTo(reference[i], within(1e-5f * scale));
        }
      }

      // The stored form's forward gather (the one under its StopGradient) feeds only the forward product.
      GraphOperation storedOp = (GraphOperation) stored.op();
      GraphOperation product = ancestor(storedOp, "BatchMatMulV2");
      GraphOperation gather = (GraphOperation) product.input(1).op();
      assertThat(gather.type()).isEqualTo("GatherV2");
      assertThat(gather.consumers()).containsExactly(product);
      assertThat(product.consumers()).allMatch(c -> !c.name().contains("gradients"));
      // The backward pass's gather waits for the gradient (it reads r, which only the loss reads), so it does not
      // run during the forward pass and hold its rows until the backward pass.
      List<GraphOperation> backwardGathers = new ArrayList<>();
      g.graph.operations().forEachRemaining(op -> {
        if (op.type().equals("GatherV2") && op.name().startsWith("gradients/")) {
          backwardGathers.add((GraphOperation) op);
        }
      });
      assertThat(backwardGathers).isNotEmpty()
          .allSatisfy(op -> assertThat(ancestors(op)).contains((GraphOperation) r.op()));
    }
  }

  /** Every op {@code op} depends on, through data and control inputs. */
  private static Set<GraphOperation> ancestors(GraphOperation op) {
    Set<GraphOperation> seen = new HashSet<>();
    ArrayDeque<GraphOperation> todo = new ArrayDeque<>(List.of(op));
    while (!todo.isEmpty()) {
      GraphOperation at = todo.pop();
      List<GraphOperation> parents = new ArrayList<>(at.controlInputs());
      for (int i = 0; i < at.numInputs(); i++) {
        parents.add((GraphOperation) at.input(i).op());
      }
      for (GraphOperation parent : parents) {
        if (seen.add(parent)) {
          todo.push(parent);
        }
      }
    }
    return seen;
  }

  /** The first op of {@code type} found walking up the first inputs (and the last one of an IdentityN). */
  private static GraphOperation ancestor(GraphOperation op, String type) {
    GraphOperation at = op;
    while (!at.type().equals(type)) {
      at = (GraphOperation) at.input(at.type().equals("IdentityN") ? at.numInputs() - 1 : 0).op();
    }
    return at;
  }
}
