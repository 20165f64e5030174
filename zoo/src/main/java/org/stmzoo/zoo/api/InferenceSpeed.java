package org.stmzoo.zoo.api;

import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.benchmark.SessionConfigs;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.tensorflow.proto.ConfigProto;

/**
 * How a loaded model runs its in-process inference graph on CPU cores: the same function, threads and graph shape
 * chosen for speed, as {@code ./stmzoo benchmark --thread-plan P --fused-layer-norm} measures them
 * (docs/benchmarks.md). TF sizes its thread pools at the process's first session, so the first model loaded in a
 * process sets them for all.
 *
 * @param threads how the session spreads its work and how many independent chains the graph is built as; null
 *     for TF's defaults and one chain
 * @param fusedLayerNorm LayerNorm in the form TF fuses into oneDNN's one-pass CPU kernel ({@link
 *     ModelGraph.Inference}), where TF fuses it in this process ({@link ModelGraph.Inference#withFusedLayerNormWhereFused}); an
 *     export asks for it itself ({@link ExportSpec#fusedLayerNorm}). With it, attention's products run in TF's own
 *     kernel where that measures faster in this process than oneDNN's ({@link
 *     ModelGraph.Inference#withTfAttentionKernelWhereFaster}); exports keep oneDNN's. With it under the latency
 *     plan, the weights are constants in the graph ({@link ThreadPlan#freezesWeights}). In every inference graph
 *     (with or without it, and in exports) the U-models' layer scales are taken into the projections before them
 *     ({@link org.stmzoo.layers.core.ScaleFold})
 */
public record InferenceSpeed(ThreadPlan threads, boolean fusedLayerNorm) {
  /** TF's defaults: all cores on each op, the plain graph. */
  public static final InferenceSpeed DEFAULT = new InferenceSpeed(null, false);

  /**
   * For one image at a time: one thread per op and the image cut into one chain per thread, fused LayerNorm.
   * U-ConvNeXt-micro on 2 cores: about 13 ms per image instead of 25.
   */
  public static InferenceSpeed latency(int threads) {
    return new InferenceSpeed(ThreadPlan.latency(threads), true);
  }

  /**
   * For batches on few cores: one thread per op and the batch cut into one part per thread, fused LayerNorm. Batch
   * 32 on 2 cores: deit-tiny about 108-110 img/s instead of 86-90 under {@link #throughput}, u-convnext-micro
   * 126-151 instead of 95-114 (docs/benchmarks.md). Any batch size runs; below {@code threads} images some cores
   * idle.
   */
  public static InferenceSpeed batches(int threads) {
    return new InferenceSpeed(ThreadPlan.batches(threads), true);
  }

  /** TF's usual threading over {@code threads} cores (0: all), fused LayerNorm: every op on all threads. */
  public static InferenceSpeed throughput(int threads) {
    return new InferenceSpeed(ThreadPlan.throughput(threads), true);
  }

  /** The inference graph this speed builds. */
  ModelGraph.Inference graph() {
    return (threads == null ? ModelGraph.Inference.PLAIN : threads.graph())
        .withFusedLayerNormWhereFused(fusedLayerNorm, session())
        .withTfAttentionKernelWhereFaster(fusedLayerNorm, session());
  }

  /** Whether the in-process graph holds its weights as constants ({@link ThreadPlan#freezesWeights}). */
  boolean freezesWeights() {
    return fusedLayerNorm && threads != null && threads.freezesWeights();
  }

  /** The session options this speed runs under. */
  ConfigProto session() {
    return threads == null ? ConfigProto.getDefaultInstance() : SessionConfigs.of(threads, false);
  }
}
