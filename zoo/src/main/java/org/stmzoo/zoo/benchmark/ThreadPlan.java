package org.stmzoo.zoo.benchmark;

import java.util.Locale;

/**
 * How a session spreads its work over {@code threads} cores, in TF's two pools: intra-op threads share one op's
 * work, inter-op threads run independent ops at once. {@code 0} leaves a count to TF (all cores).
 *
 * <p>{@link #throughput} is TF's usual setting and right for large ops (batch 32, training). {@link #latency}
 * runs every op on one thread: at batch 1 the ops are small, and handing a part of each to another thread and
 * waiting for it costs more than it saves on this kind of machine (deit-tiny at batch 1 on 2 cores: about 1,300
 * futex calls per step under the throughput plan, a few dozen under the latency plan; 26 -> 21.5 ms).
 */
public record ThreadPlan(String name, int intraOp, int interOp) {
  public ThreadPlan {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0, got " + intraOp + ", " + interOp);
    }
  }

  /** All threads on each op, two ops at most at once. */
  public static ThreadPlan throughput(int threads) {
    return new ThreadPlan("throughput", threads, Math.min(2, threads));
  }

  /** One thread per op, up to {@code threads} ops at once. */
  public static ThreadPlan latency(int threads) {
    return new ThreadPlan("latency", 1, threads);
  }

  /**
   * How many independent row streams an inference graph should offer under this plan ({@code
   * ModelGraph.inferenceOnly(graph, seed, streams)}): one per inter-op thread under the latency plan, so that
   * the second core has work without per-op hand-offs; 1 under the throughput plan, whose ops use every thread.
   */
  public int rowStreams() {
    if (!name.equals("latency")) {
      return 1;
    }
    return interOp > 0 ? interOp : Runtime.getRuntime().availableProcessors();
  }

  /** As printed beside a figure: {@code latency (intra-op 1, inter-op 2)}. */
  public String describe() {
    return String.format(Locale.ROOT, "%s (intra-op %s, inter-op %s)", name, count(intraOp), count(interOp));
  }

  private static String count(int n) {
    return n == 0 ? "all" : Integer.toString(n);
  }
}
