package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** The probe's decision from given times (no test depends on how fast anything runs), and a real probe once. */
class AttentionKernelProbeTest {
  private static final ConfigProto ONE_THREAD_PER_OP =
      ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(2).build();

  private static boolean tfKernelFaster(double[] oneDnn, double[] tfKernel) {
    return AttentionKernelProbe.tfKernelFaster(oneDnn, tfKernel);
  }

  @Test
  void tfsKernelOnlyWhereItsMedianIsBelowTheMarginOfOneDnns() {
    assertThat(AttentionKernelProbe.MARGIN).isEqualTo(0.95);
    double[] oneDnn = {1.0, 1.0, 1.0};
    assertThat(tfKernelFaster(oneDnn, new double[] {0.94, 0.94, 0.94})).isTrue();
    assertThat(tfKernelFaster(oneDnn, new double[] {0.96, 0.96, 0.96})).isFalse();
    // exactly at the margin oneDNN's stays: the rule is "below"
    assertThat(tfKernelFaster(oneDnn, new double[] {0.95, 0.95, 0.95})).isFalse();
    assertThat(tfKernelFaster(new double[] {20, 20, 20}, new double[] {19, 19, 19})).isFalse();
    assertThat(tfKernelFaster(new double[] {20, 20, 20}, new double[] {18.99, 18.99, 18.99})).isTrue();
    // a tie, and TF's kernel slower
    assertThat(tfKernelFaster(oneDnn, oneDnn)).isFalse();
    assertThat(tfKernelFaster(new double[] {0.5}, new double[] {1.0})).isFalse();
  }

  @Test
  void medianNotMeanDecides() {
    // outliers in either form's rounds do not move its median
    assertThat(tfKernelFaster(new double[] {1.0, 1.0, 1.0, 1.0, 0.01}, new double[] {0.94, 0.94, 0.94, 0.94, 50}))
        .isTrue(); // medians 1.0 and 0.94, though TF's mean is 10.75 and oneDNN's 0.8
    assertThat(tfKernelFaster(new double[] {1.0, 1.0, 1.0, 1000, 1000}, new double[] {0.96, 0.96, 0.96, 0, 0}))
        .isFalse(); // medians 1.0 and 0.96, though TF's mean is 0.58 and oneDNN's 400.6
    // the order of the rounds does not matter
    assertThat(tfKernelFaster(new double[] {9, 1.0, 0, 1.0, 1.0}, new double[] {0.94, 7, 0.94, 0.1, 0.94}))
        .isTrue();
    // an even count: the mean of the middle two (0.93 and 0.97 -> 0.95, at the margin)
    assertThat(tfKernelFaster(new double[] {1, 1, 1, 1}, new double[] {0.5, 0.93, 0.97, 2})).isFalse();
    assertThat(tfKernelFaster(new double[] {1, 1, 1, 1}, new double[] {0.5, 0.92, 0.97, 2})).isTrue();
  }

  @Test
  void refusesSamplesItCannotCompare() {
    assertThatThrownBy(() -> tfKernelFaster(new double[0], new double[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0 and 0");
    assertThatThrownBy(() -> tfKernelFaster(new double[] {1, 1, 1}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 3 and 2");
    assertThatThrownBy(() -> tfKernelFaster(new double[] {1, Double.NaN, 1}, new double[] {1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> tfKernelFaster(new double[] {1, 1, 1}, new double[] {1, -1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> tfKernelFaster(new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
  }

  /** A real probe: both forms run every timed round, and the process keeps the first answer whatever it was. */
  @Test
  void timesBothKernelsAndKeepsItsAnswer() {
    double[][] times = AttentionKernelProbe.timesMillis(ONE_THREAD_PER_OP);
    assertThat(times).hasDimensions(2, AttentionKernelProbe.ROUNDS);
    for (double[] form : times) {
      for (double t : form) {
        assertThat(t).isPositive().isFinite();
      }
    }
    boolean first = AttentionKernelProbe.tfKernelFaster(ONE_THREAD_PER_OP);
    assertThat(AttentionKernelProbe.tfKernelFaster(ConfigProto.getDefaultInstance())).isEqualTo(first);
  }
}
