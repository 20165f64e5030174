package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** The probe times both kernels and decides from the times, once per process. */
class AttentionKernelProbeTest {
  private static final ConfigProto ONE_THREAD_PER_OP =
      ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(2).build();

  @Test
  void timesBothKernelsAndKeepsItsAnswer() {
    double[] medians = AttentionKernelProbe.medianMillis(ONE_THREAD_PER_OP);
    assertThat(medians).hasSize(2);
    // one block's attention core for 99 queries: well above a microsecond and below a second per run
    assertThat(medians[0]).isBetween(0.001, 1000.0);
    assertThat(medians[1]).isBetween(0.001, 1000.0);
    boolean first = AttentionKernelProbe.tfKernelFaster(ONE_THREAD_PER_OP);
    assertThat(AttentionKernelProbe.tfKernelFaster(ConfigProto.getDefaultInstance())).isEqualTo(first);
    assertThat(AttentionKernelProbe.MARGIN).isLessThan(1.0);
  }
}
