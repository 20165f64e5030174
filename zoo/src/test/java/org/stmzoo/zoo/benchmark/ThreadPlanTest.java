package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.proto.ConfigProto;

class ThreadPlanTest {
  @Test
  void throughputPutsEveryThreadOnEachOpAndRunsTwoOpsAtMost() {
    assertThat(ThreadPlan.throughput(4)).isEqualTo(new ThreadPlan("throughput", 4, 2, 1));
    assertThat(ThreadPlan.throughput(1)).isEqualTo(new ThreadPlan("throughput", 1, 1, 1));
    ConfigProto config = SessionConfigs.of(ThreadPlan.throughput(4), false);
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(4);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(2);
  }

  @Test
  void latencyGivesEachOpOneThreadAndRunsAsManyOpsAsThreads() {
    ConfigProto config = SessionConfigs.of(ThreadPlan.latency(2), false);
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(1);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(2);
    assertThat(ThreadPlan.latency(2).describe()).isEqualTo("latency (intra-op 1, inter-op 2)");
    assertThat(ThreadPlan.latency(2).rowStreams()).isEqualTo(2);
    assertThat(ThreadPlan.throughput(2).rowStreams()).isEqualTo(1);
  }

  @Test
  void graphHasThePlansStreams() {
    assertThat(ThreadPlan.latency(2).graph()).isEqualTo(new ModelGraph.Inference(2, 1, false));
    assertThat(ThreadPlan.throughput(2).graph()).isEqualTo(new ModelGraph.Inference(1, 1, false));
    assertThat(ThreadPlan.throughput(1).graph()).isEqualTo(new ModelGraph.Inference(1, 1, false));
  }

  @Test
  void batchesGivesEachOpOneThreadAndCutsTheBatchInsteadOfTheImage() {
    ConfigProto config = SessionConfigs.of(ThreadPlan.batches(3), false);
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(1);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(3);
    assertThat(ThreadPlan.batches(3).graph()).isEqualTo(new ModelGraph.Inference(1, 3, false));
    assertThat(ThreadPlan.batches(3).describe()).isEqualTo("batches (intra-op 1, inter-op 3)");
    assertThatThrownBy(() -> new ThreadPlan("x", 1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch streams");
  }

  @Test
  void zeroLeavesTheCountToTensorFlow() {
    ConfigProto config = SessionConfigs.of(0, false);
    assertThat(config.hasField(ConfigProto.getDescriptor().findFieldByName("intra_op_parallelism_threads")))
        .isFalse();
    assertThat(config.getInterOpParallelismThreads()).isZero();
    assertThat(ThreadPlan.latency(0).describe()).isEqualTo("latency (intra-op 1, inter-op all)");
  }

  @Test
  void negativeCountsAreRefused() {
    assertThatThrownBy(() -> new ThreadPlan("x", -1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
