package org.stmzoo.layers.basic;

/**
 * Zero padding of a 2-D convolution. {@link #same(int)}/{@link #explicit(int)} pad symmetrically as PyTorch's
 * {@code padding=p} does; TF's own "SAME" pads asymmetrically for even sizes and would differ from the
 * references, so it is only used where asked for with {@link #tensorflowSame()}.
 */
public record Padding(int top, int bottom, int left, int right, boolean tfSame) {
  public static Padding valid() {
    return new Padding(0, 0, 0, 0, false);
  }

  public static Padding explicit(int p) {
    return new Padding(p, p, p, p, false);
  }

  public static Padding explicit(int vertical, int horizontal) {
    return new Padding(vertical, vertical, horizontal, horizontal, false);
  }

  /** PyTorch's {@code padding=k//2} for odd kernel k: output = ceil(input / stride). */
  public static Padding same(int kernel) {
    return explicit(kernel / 2);
  }

  /** TF's SAME padding (extra row/column at the bottom/right for even totals). */
  public static Padding tensorflowSame() {
    return new Padding(0, 0, 0, 0, true);
  }

  public boolean isZero() {
    return !tfSame && top == 0 && bottom == 0 && left == 0 && right == 0;
  }

  /** Output length for one spatial axis, as the reference frameworks compute it. */
  public int outputSize(int input, int kernel, int stride, boolean vertical) {
    if (tfSame) {
      return (input + stride - 1) / stride;
    }
    int padded = input + (vertical ? top + bottom : left + right);
    return (padded - kernel) / stride + 1;
  }
}
