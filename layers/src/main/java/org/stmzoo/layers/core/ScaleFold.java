package org.stmzoo.layers.core;

import java.util.Map;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A per-channel scale {@code g} on a projection's output, {@code g * (x W + b)}, taken into the projection's weights
 * as {@code x (W g) + b g}: the same function up to rounding, one element-wise pass over the output less. Done on
 * the values of frozen weights ({@link FrozenWeights}), where it costs nothing per run, and with variables as a
 * product of the weights by the scale in inference calls ({@link ModelGraph#weight}), which costs a pass over the
 * weights instead of one over the output: at batch 32 the kernel has a few hundred times fewer values than the map.
 */
public record ScaleFold(ModelVariable scale, EndsInProjection.Projection into) {
  public ScaleFold {
    if (scale.shape().numDimensions() != 1 || scale.shape().get(0) != into.channels()) {
      throw new IllegalArgumentException("scale " + scale.path() + " of shape " + scale.shape()
          + " does not match the " + into.channels() + " output channels of " + into.kernel().path());
    }
  }

  /** Replaces the projection's values in {@code values} (by variable path) with the scaled ones. */
  void applyTo(Map<String, TFloat32> values) {
    float[] g = floats(required(values, scale));
    scaleColumns(values, into.kernel(), g);
    if (into.bias() != null) {
      scaleColumns(values, into.bias(), g);
    }
  }

  private static void scaleColumns(Map<String, TFloat32> values, ModelVariable variable, float[] g) {
    TFloat32 old = required(values, variable);
    float[] data = floats(old);
    // the last axis is the output channel: element i of a row-major tensor is channel i % channels
    for (int i = 0; i < data.length; i++) {
      data[i] *= g[i % g.length];
    }
    values.put(variable.path(), TFloat32.tensorOf(old.shape(), DataBuffers.of(data, true, false)));
    old.close();
  }

  private static float[] floats(TFloat32 tensor) {
    float[] data = new float[Math.toIntExact(tensor.size())];
    tensor.copyTo(DataBuffers.of(data, false, false));
    return data;
  }

  private static TFloat32 required(Map<String, TFloat32> values, ModelVariable variable) {
    TFloat32 value = values.get(variable.path());
    if (value == null) {
      throw new IllegalArgumentException("no value read for " + variable.path() + " to fold a scale with");
    }
    return value;
  }
}
