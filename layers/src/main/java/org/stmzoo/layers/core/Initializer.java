package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Builds the initial value of a variable; {@code seed} is derived from the model seed and the variable path. */
@FunctionalInterface
public interface Initializer {
  Operand<TFloat32> build(Ops tf, Shape shape, long seed);

  static Initializer zeros() {
    return (tf, shape, seed) -> tf.fill(tf.constant(shape.asArray()), tf.constant(0f));
  }

  static Initializer ones() {
    return constant(1f);
  }

  static Initializer constant(float value) {
    return (tf, shape, seed) -> tf.fill(tf.constant(shape.asArray()), tf.constant(value));
  }

  /**
   * timm's {@code trunc_normal_(std=std)}: its bounds are absolute (+-2), so for std 0.02 it is a plain
   * normal in practice. TF's TruncatedNormal cuts at 2 std instead; we sample the normal and clip at +-2.
   */
  static Initializer truncatedNormal(float std) {
    return (tf, shape, seed) -> {
      Operand<TFloat32> n = tf.random.statelessRandomNormal(
          tf.constant(shape.asArray()), seedPair(tf, seed), TFloat32.class);
      return tf.clipByValue(tf.math.mul(n, tf.constant(std)), tf.constant(-2f), tf.constant(2f));
    };
  }

  /** PyTorch's default for Conv/Linear layers not re-initialised: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  static Initializer torchDefault(long fanIn) {
    float bound = (float) (1.0 / Math.sqrt(fanIn));
    return uniform(-bound, bound);
  }

  static Initializer uniform(float low, float high) {
    return (tf, shape, seed) -> {
      Operand<TFloat32> u = tf.random.statelessRandomUniform(
          tf.constant(shape.asArray()), seedPair(tf, seed), TFloat32.class);
      return tf.math.add(tf.math.mul(u, tf.constant(high - low)), tf.constant(low));
    };
  }

  /** He/Kaiming normal with fan-out, as ConvNeXt-style conv inits use. */
  static Initializer normal(float std) {
    return (tf, shape, seed) -> tf.math.mul(
        tf.random.statelessRandomNormal(tf.constant(shape.asArray()), seedPair(tf, seed), TFloat32.class),
        tf.constant(std));
  }

  private static Operand<TInt64> seedPair(Ops tf, long seed) {
    return tf.constant(new long[] {seed, seed >>> 17 ^ 0x5DEECE66DL});
  }
}
