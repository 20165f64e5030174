package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.nonNegative;

import org.tensorflow.Operand;

/**
 * Zero padding of a 2-D convolution. {@link #same(int)}/{@link #explicit(int)} pad symmetrically as PyTorch's
 * {@code padding=p} does; TF's own "SAME" pads asymmetrically for even sizes and would differ from the
 * references, so it is only used where asked for with {@link #tensorflowSame()}.
 */
public record Padding(int top, int bottom, int left, int right, boolean tfSame) {
  public Padding {
    nonNegative("Padding.top", top);
    nonNegative("Padding.bottom", bottom);
    nonNegative("Padding.left", left);
    nonNegative("Padding.right", right);
  }

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

  /**
   * Whether TF's SAME padding gives exactly these pads on {@code map} ({@code [N, H, W, C]}, static H and W):
   * then a convolution can pad inside its kernel instead of on a padded copy. False for unknown sizes.
   */
  public boolean isTfSameFor(Operand<?> map, int kernelH, int kernelW, int stride) {
    long h = map.shape().get(1);
    long w = map.shape().get(2);
    if (tfSame || h < 0 || w < 0) {
      return tfSame;
    }
    long padH = tfSameTotal(h, kernelH, stride);
    long padW = tfSameTotal(w, kernelW, stride);
    return top == padH / 2 && bottom == padH - padH / 2 && left == padW / 2 && right == padW - padW / 2;
  }

  private static long tfSameTotal(long input, int kernel, int stride) {
    long output = (input + stride - 1) / stride;
    return Math.max((output - 1) * stride + kernel - input, 0);
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
