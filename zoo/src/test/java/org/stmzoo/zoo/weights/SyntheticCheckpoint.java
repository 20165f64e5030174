package org.stmzoo.zoo.weights;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A reference {@code state_dict} written out key by key with PyTorch's shapes, as a reference implementation's
 * modules would register them: parameters (counted like {@code sum(p.numel() for p in model.parameters())})
 * and buffers (not counted). Values are only made when the state dict is asked for: every element is a
 * pseudo-random function of its key and flat index ({@link #value}), so a tensor that lands in the wrong variable
 * or the wrong layout shows up, and tests can recompute what any element should be.
 */
final class SyntheticCheckpoint {
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, Boolean> isParameter = new LinkedHashMap<>();

  SyntheticCheckpoint param(String key, long... shape) {
    return add(key, shape, true);
  }

  SyntheticCheckpoint buffer(String key, long... shape) {
    return add(key, shape, false);
  }

  private SyntheticCheckpoint add(String key, long[] shape, boolean parameter) {
    if (shapes.put(key, shape.clone()) != null) {
      throw new IllegalStateException("key " + key + " registered twice");
    }
    isParameter.put(key, parameter);
    return this;
  }

  Set<String> keys() {
    return shapes.keySet();
  }

  long[] shape(String key) {
    long[] s = shapes.get(key);
    if (s == null) {
      throw new IllegalArgumentException("no key " + key);
    }
    return s.clone();
  }

  /** Elements of every parameter (buffers excluded), as PyTorch's {@code model.parameters()} counts them. */
  long parameterCount() {
    return shapes.entrySet().stream().filter(e -> isParameter.get(e.getKey()))
        .mapToLong(e -> RawTensor.elementCount(e.getValue())).sum();
  }

  StateDict stateDict() {
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    shapes.forEach((key, shape) -> tensors.put(key, tensor(key, shape)));
    return new StateDict(tensors);
  }

  static RawTensor tensor(String key, long[] shape) {
    float[] values = new float[Math.toIntExact(RawTensor.elementCount(shape))];
    for (int i = 0; i < values.length; i++) {
      values[i] = value(key, i);
    }
    return new RawTensor(shape, values);
  }

  /** The element at C-order index {@code index} of tensor {@code key}: in [-0.5, 0.5), 24 random bits. */
  static float value(String key, int index) {
    long h = key.hashCode() * 0x9E3779B97F4A7C15L + index;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (h >>> 40) / (float) (1 << 24) - 0.5f;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    shapes.forEach((k, v) -> s.append(k).append(' ').append(Arrays.toString(v)).append('\n'));
    return s.toString();
  }
}
