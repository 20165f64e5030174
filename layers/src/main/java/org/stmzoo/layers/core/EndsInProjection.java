package org.stmzoo.layers.core;

import java.util.Objects;

/**
 * A layer whose output is its last linear projection's output, at most rearranged over positions (cropped, rolled,
 * windows put back): a per-channel scale of the layer's output is then the same scale on that projection's kernel
 * columns and bias, which is how inference calls apply a residual branch's layer scale
 * ({@link ModelGraph#foldScale}).
 */
public interface EndsInProjection {
  /** The last projection's weights. */
  Projection outputProjection();

  /**
   * A projection's kernel, output channels on its last axis, and its bias over them ({@code null} without one).
   */
  record Projection(ModelVariable kernel, ModelVariable bias) {
    public Projection {
      long out = lastAxis(Objects.requireNonNull(kernel, "kernel"));
      if (bias != null && (bias.shape().numDimensions() != 1 || bias.shape().get(0) != out)) {
        throw new IllegalArgumentException("bias " + bias.path() + " of shape " + bias.shape()
            + " does not match the " + out + " output channels of " + kernel.path());
      }
    }

    /** The number of output channels. */
    public long channels() {
      return lastAxis(kernel);
    }

    private static long lastAxis(ModelVariable variable) {
      return variable.shape().get(variable.shape().numDimensions() - 1);
    }
  }
}
