package org.stmzoo.zoo.benchmark;

import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;

/** Session configurations: a {@link ThreadPlan} and optional XLA JIT (measured here: 64 -> 97 GFLOP/s on a matmul). */
public final class SessionConfigs {
  private SessionConfigs() {}

  /** The throughput plan on {@code threads} threads (0: TF's default counts). */
  public static ConfigProto of(int threads, boolean xla) {
    return of(ThreadPlan.throughput(threads), xla);
  }

  /**
   * Lets sessions that ask for XLA (a global JIT level) compile on the CPU. TF applies a session's JIT level there
   * only with {@code tf_xla_cpu_global_jit}, and reads that flag once, when the process's first session is
   * optimized: call this before any session runs ({@link #of} does when asked for XLA, in time where its session is
   * the process's first, as in {@code benchmark --xla}). Sessions that do not ask for XLA are unaffected.
   */
  public static void enableCpuXla() {
    tensorflow.TF_SetTfXlaCpuGlobalJit((byte) 1);
  }

  public static ConfigProto of(ThreadPlan plan, boolean xla) {
    ConfigProto.Builder b = ConfigProto.newBuilder();
    if (plan.intraOp() > 0) {
      b.setIntraOpParallelismThreads(plan.intraOp());
    }
    if (plan.interOp() > 0) {
      b.setInterOpParallelismThreads(plan.interOp());
    }
    if (xla) {
      enableCpuXla(); // in time if this is the process's first session (see enableCpuXla)
      b.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(
          OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }
}
