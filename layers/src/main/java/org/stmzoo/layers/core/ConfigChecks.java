package org.stmzoo.layers.core;

/**
 * Range checks for the values of config records (the layers', the recipe's, the model options'), called from their
 * compact constructors. A size of 0 or
 * below otherwise fails far from where it was given (a division by zero, a negative array size, a TF shape error
 * when the session runs), or worse, builds a layer that computes something else. {@code what} names the record
 * and the field, e.g. {@code "MultiHeadSelfAttention.Config.heads"}; each check returns the value it accepts.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  /** A size, count or stride: at least 1. */
  public static int positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
    return value;
  }

  /** A padding or halo: at least 0. */
  public static int nonNegative(String what, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + value);
    }
    return value;
  }

  /** The side of a kernel that pads {@code k / 2} on each side to keep the map's size: odd and at least 1. */
  public static int positiveOdd(String what, int value) {
    if (value < 1 || value % 2 == 0) {
      throw new IllegalArgumentException(what + " must be odd and >= 1 (a size-preserving convolution pads k/2 on"
          + " each side, which only keeps the size for odd k), got " + value);
    }
    return value;
  }

  /** Every entry a size, count or depth: at least 1. */
  public static int[] positiveEach(String what, int[] values) {
    for (int i = 0; i < values.length; i++) {
      positive(what + "[" + i + "]", values[i]);
    }
    return values;
  }

  /** A dropout or drop-path probability: in [0, 1); NaN is refused (it passes neither comparison). */
  public static float rate(String what, float value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
    }
    return value;
  }

  /** A fraction of an image (a crop, a minimum crop area): in (0, 1]; NaN is refused. */
  public static float fraction(String what, float value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(what + " must be in (0, 1], got " + value);
    }
    return value;
  }

  /** An eps: greater than 0 and finite (NaN refused). */
  public static float positiveFinite(String what, float value) {
    if (!(value > 0 && value < Float.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(what + " must be > 0 and finite, got " + value);
    }
    return value;
  }

  /** A width ratio: greater than 0 and finite (NaN refused). */
  public static double positiveFinite(String what, double value) {
    if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(what + " must be > 0 and finite, got " + value);
    }
    return value;
  }

  /** A value of any sign that must still be a number (an initial value). */
  public static float finite(String what, float value) {
    finite(what, (double) value);
    return value;
  }

  /** A value of any sign that must still be a number (a learning rate, a loss weight). */
  public static double finite(String what, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " must be finite, got " + value);
    }
    return value;
  }

  /** Attention's width split evenly over its heads. */
  public static void headsDivide(int dim, int heads) {
    if (dim % heads != 0) {
      throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
    }
  }
}
