package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The checkpoint readers' limits read their system properties as every other input limit does. */
class CheckpointLimitsTest {
  @AfterEach
  void clear() {
    System.clearProperty("stmzoo.limit.tensors");
    System.clearProperty("stmzoo.limit.tensor-bytes");
  }

  @Test
  void propertiesOverrideTheDefaultsAndBadValuesAreNamed() {
    assertThat(CheckpointLimits.defaults().maxTensors()).isEqualTo(100_000);
    assertThat(CheckpointLimits.defaults().maxTensorBytes()).isEqualTo(CheckpointLimits.defaultTensorBytes(Runtime.getRuntime().maxMemory()));
    assertThat(CheckpointLimits.knob("tensor-bytes"))
        .isEqualTo("raise with -Dstmzoo.limit.tensor-bytes=N, or the Java heap with -Xmx: the default follows it");
    System.setProperty("stmzoo.limit.tensors", "1_000");
    System.setProperty("stmzoo.limit.tensor-bytes", "4294967296");
    assertThat(CheckpointLimits.defaults().maxTensors()).isEqualTo(1000);
    assertThat(CheckpointLimits.defaults().maxTensorBytes()).isEqualTo(4294967296L);
    System.setProperty("stmzoo.limit.tensors", "lots");
    assertThatThrownBy(CheckpointLimits::defaults).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("system property stmzoo.limit.tensors=lots is not a positive integer");
    System.setProperty("stmzoo.limit.tensors", "4294967296");
    assertThatThrownBy(CheckpointLimits::defaults).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("system property stmzoo.limit.tensors=4294967296 is larger than 2147483647");
    System.setProperty("stmzoo.limit.tensors", "0");
    assertThatThrownBy(CheckpointLimits::defaults).hasMessageContaining("is not a positive integer");
  }

  @Test
  void theDefaultTensorBytesNeverRefuseWhatFitsTheHeap() {
    long mib = 1L << 20;
    long gib = 1L << 30;
    // a small heap: half of it (all but 512 MiB would leave nothing)
    assertThat(CheckpointLimits.defaultTensorBytes(256 * mib)).isEqualTo(128 * mib);
    assertThat(CheckpointLimits.defaultTensorBytes(1 * gib)).isEqualTo(512 * mib);
    // 1.5 GiB: a 350 MB base checkpoint (some 700 MB counted) fits, where half the heap (768 MiB) was close
    assertThat(CheckpointLimits.defaultTensorBytes(1536 * mib)).isEqualTo(1 * gib);
    assertThat(CheckpointLimits.defaultTensorBytes(2 * gib)).isEqualTo(1536 * mib);
    // the CLI's 8g: all but 512 MiB (half, 4 GiB, refused what the fixed 8 GiB of before accepted)
    assertThat(CheckpointLimits.defaultTensorBytes(8 * gib)).isEqualTo(8 * gib - 512 * mib);
    // up to 8 GiB, then half the heap
    assertThat(CheckpointLimits.defaultTensorBytes(12 * gib)).isEqualTo(8 * gib);
    assertThat(CheckpointLimits.defaultTensorBytes(32 * gib)).isEqualTo(16 * gib);
    assertThat(CheckpointLimits.defaultTensorBytes(Long.MAX_VALUE)).isEqualTo(8 * gib);
  }
}
