package org.stmzoo.zoo.weights;

import java.util.Arrays;

/**
 * A tensor read from a foreign file, as float32 values in C (row-major) order with the file's own shape and
 * layout (PyTorch's {@code [out, in]}, {@code [out, in/groups, kh, kw]}...). Integer tensors such as
 * BatchNorm's {@code num_batches_tracked} are carried as floats too; importers drop them by name, and refuse one
 * that would fill a weight (a quantised checkpoint's int8 codes are not the weights).
 *
 * @param integerType the file's integer type ({@code int64}, {@code uint8}...), or null for a floating-point one
 */
public record RawTensor(long[] shape, float[] values, String integerType) {
  /** A floating-point tensor. */
  public RawTensor(long[] shape, float[] values) {
    this(shape, values, null);
  }

  public RawTensor {
    long count = elementCount(shape);
    if (count != values.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + count + " values, got " + values.length);
    }
  }

  public static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    return count;
  }

  public int rank() {
    return shape.length;
  }

  /** The shape for a message, at most 8 of its dimensions shown. */
  public String shapeString() {
    return TensorShapes.toString(shape);
  }

  /** The same values under another shape with as many elements (e.g. a [1, C, 1, 1] layer scale as [C]). */
  public RawTensor reshape(long... newShape) {
    return new RawTensor(newShape, values, integerType);
  }
}
