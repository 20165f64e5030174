package org.stmzoo.zoo.benchmark;

import java.util.Locale;
import org.stmzoo.layers.core.ModelGraph;

/**
 * How a session spreads its work over {@code threads} cores, in TF's two pools: intra-op threads share one op's
 * work, inter-op threads run independent ops at once. {@code 0} leaves a count to TF (all cores).
 *
 * <p>{@link #throughput} is TF's usual setting and right for training. {@link #latency} runs every op on one
 * thread: at batch 1 the ops are small, and handing a part of each to another thread and waiting for it costs more
 * than it saves on this kind of machine (deit-tiny at batch 1 on 2 cores: about 1,300 futex calls per step under
 * the throughput plan, a few dozen under the latency plan; 26 -> 21.5 ms); the image is cut into one chain per
 * thread. {@link #batches} runs every op on one thread too but cuts the batch instead, one part per thread: on 2
 * cores faster than the throughput plan for batches on every model measured, and than the latency plan on all but
 * U-Swin and U-Halo, where they are level (batch 32: deit-tiny 80-86 img/s under the
 * throughput plan, 100 with chains inside each image, 106 with the batch cut; docs/benchmarks.md). The plan is a
 * deployment setting, to be measured on the target machine with {@code benchmark --thread-plan}.
 *
 * @param rowStreams the independent chains an inference graph builds inside each image under this plan
 *     ({@link ModelGraph.Inference#rowStreams()})
 * @param batchStreams the parts an inference graph cuts the batch into under this plan
 *     ({@link ModelGraph.Inference#batchStreams()})
 */
public record ThreadPlan(String name, int intraOp, int interOp, int rowStreams, int batchStreams) {
  public ThreadPlan {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0, got " + intraOp + ", " + interOp);
    }
    if (rowStreams < 1 || batchStreams < 1) {
      throw new IllegalArgumentException("row and batch streams must be >= 1, got " + rowStreams + ", "
          + batchStreams);
    }
  }

  /** A plan whose graph is not cut by batch. */
  public ThreadPlan(String name, int intraOp, int interOp, int rowStreams) {
    this(name, intraOp, interOp, rowStreams, 1);
  }

  /** All threads on each op, two ops at most at once; one chain, since every op already uses every thread. */
  public static ThreadPlan throughput(int threads) {
    return new ThreadPlan("throughput", threads, Math.min(2, threads), 1);
  }

  /**
   * One thread per op, up to {@code threads} ops at once, and the graph built as one chain per thread so that
   * the other cores have work without per-op hand-offs.
   */
  public static ThreadPlan latency(int threads) {
    return new ThreadPlan("latency", 1, threads, chains(threads));
  }

  /**
   * One thread per op, up to {@code threads} ops at once, and the batch cut into one part per thread, each part
   * through the whole network: for batches, where the parts never wait for each other. A training step runs as
   * one chain per part ({@code Replicas.chains}: each part's forward and backward, the gradients averaged).
   */
  public static ThreadPlan batches(int threads) {
    return new ThreadPlan("batches", 1, threads, 1, chains(threads));
  }

  private static int chains(int threads) {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }

  /**
   * Whether an in-process inference graph run under this plan holds its weights as constants ({@link
   * org.stmzoo.layers.core.FrozenWeights}): under the latency plan, where a batch-1 step is a few hundred small
   * ops and the two variable ops per weight are a measurable share of it (pit-ti and deit-tiny about 2 % faster on
   * 2 cores); for batches the gain is not measurable and the graph's copy of the weights would cost memory.
   */
  public boolean freezesWeights() {
    return "latency".equals(name);
  }

  /** The inference graph this plan runs best: its row and batch streams. */
  public ModelGraph.Inference graph() {
    return new ModelGraph.Inference(rowStreams, batchStreams, false);
  }

  /** How many ops the session runs at once: its inter-op threads ({@code 0}, TF's choice: one per core). */
  public int concurrentOps() {
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
