package org.stmzoo.layers.core;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Whether TF's own batched-product kernel runs attention faster than oneDNN's on this CPU, measured once per
 * process. Neither wins everywhere: oneDNN's is faster on the AMD EPYC Zen 4 VMs of issue 12's later rounds, TF's
 * on the Zen 5 VMs of its eighteenth (pit-ti at batch 1, latency plan: 14.3 -> 12.4 ms; deit-tiny at batch 32,
 * batches plan: 334 -> 290 ms per batch; docs/benchmarks.md). Like cuDNN's algorithm search, the choice is timed
 * rather than guessed from the CPU's name: one block's attention core at DeiT's shape for one token chain (3 heads
 * of 64, 99 queries over 197 keys: both products and the softmax) in both forms, alternating, in a session with
 * the caller's options, so that it runs on the threads the model's graph will.
 */
public final class AttentionKernelProbe {
  /**
   * TF's kernel is chosen only where it is faster by more than the probe's spread: oneDNN's stays on a tie. On the
   * Zen 5 VMs the ratio of the medians is 0.80-0.89 over 16 processes (and oneDNN's kernel is as fast or faster on
   * the Zen 4 VMs), so 0.95 decides the same way in every process; at 0.9, with 7 rounds after one warm-up round,
   * 5 of 20 processes chose oneDNN's (ratios 0.67-1.09), and those ran pit-ti's batch 1 at 12.2 instead of 10.4 ms.
   */
  static final double MARGIN = 0.95;
  /** Untimed rounds first: the first timed rounds of a process ran slower, and unevenly between the two forms. */
  private static final int WARMUP_ROUNDS = 4;
  static final int ROUNDS = 15;
  private static final int RUNS_PER_ROUND = 10;
  private static Boolean tfKernelFaster; // measured once per process

  private AttentionKernelProbe() {}

  /**
   * Whether {@link ProductForm#TF_KERNEL}'s median time for the attention core is below {@value #MARGIN} of
   * {@link ProductForm#ONEDNN}'s, in this process.
   *
   * @param sessionConfig the options of the session the caller is about to open: TF sizes its thread pools at a
   *     process's first session, which may be this probe's
   */
  public static synchronized boolean tfKernelFaster(ConfigProto sessionConfig) {
    if (tfKernelFaster == null) {
      double[][] times = timesMillis(sessionConfig);
      tfKernelFaster = tfKernelFaster(times[0], times[1]);
    }
    return tfKernelFaster;
  }

  /**
   * The decision from the two forms' timed rounds, round {@code i} of each run back to back: whether
   * {@link ProductForm#TF_KERNEL}'s median is below {@value #MARGIN} of {@link ProductForm#ONEDNN}'s (strictly: at
   * exactly {@value #MARGIN} oneDNN's stays). The median of an even count is the mean of the middle two.
   *
   * @throws IllegalArgumentException where the samples are empty, of different counts, or not finite and
   *     non-negative
   */
  static boolean tfKernelFaster(double[] oneDnnMillis, double[] tfKernelMillis) {
    if (oneDnnMillis.length == 0 || oneDnnMillis.length != tfKernelMillis.length) {
      throw new IllegalArgumentException("the two kernels need the same number of timed rounds, at least one: got "
          + oneDnnMillis.length + " and " + tfKernelMillis.length);
    }
    return median(tfKernelMillis) < MARGIN * median(oneDnnMillis);
  }

  /**
   * Milliseconds per run of the attention core in each of the {@value #ROUNDS} timed rounds, as
   * {@link ProductForm#ONEDNN} (row 0) and {@link ProductForm#TF_KERNEL} (row 1).
   */
  static double[][] timesMillis(ConfigProto sessionConfig) {
    int heads = 3;
    int queries = 99;
    int keys = 197;
    int dim = 64;
    List<ProductForm> forms = List.of(ProductForm.ONEDNN, ProductForm.TF_KERNEL);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> q = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(heads, queries, dim)));
      Placeholder<TFloat32> k = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(heads, keys, dim)));
      Placeholder<TFloat32> v = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(heads, keys, dim)));
      List<Operand<TFloat32>> outputs = forms.stream()
          .map(form -> form.matMul(tf, tf.nn.softmax(form.matMul(tf, q, k, false, true)), v, false, false))
          .toList();
      Random random = new Random(0);
      try (Session session = new Session(g, sessionConfig);
          TFloat32 qs = gaussian(random, Shape.of(heads, queries, dim));
          TFloat32 ks = gaussian(random, Shape.of(heads, keys, dim));
          TFloat32 vs = gaussian(random, Shape.of(heads, keys, dim))) {
        double[][] times = new double[forms.size()][ROUNDS];
        for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) { // oneDNN builds its primitives in the first
          for (int f = 0; f < forms.size(); f++) {
            long start = System.nanoTime();
            for (int run = 0; run < RUNS_PER_ROUND; run++) {
              try (Result result = session.runner().feed(q, qs).feed(k, ks).feed(v, vs).fetch(outputs.get(f)).run()) {
                // the product's value is not needed, only its time
              }
            }
            if (round >= 0) {
              times[f][round] = (System.nanoTime() - start) / 1e6 / RUNS_PER_ROUND;
            }
          }
        }
        return times;
      }
    }
  }

  private static double median(double[] values) {
    for (double value : values) {
      if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("a round's time must be finite and non-negative, got " + value);
      }
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static TFloat32 gaussian(Random random, Shape shape) {
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }
}
