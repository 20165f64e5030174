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
    assertThat(CheckpointLimits.defaults().maxTensorBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    assertThat(CheckpointLimits.knob("tensor-bytes"))
        .isEqualTo("raise with -Dstmzoo.limit.tensor-bytes=N, or the Java heap with -Xmx: the default is half of it");
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
}
