package org.stmzoo.zoo.weights;

import java.util.Arrays;

/**
 * Layout changes between PyTorch's tensors and stmzoo's variables, as pure functions on C-order arrays:
 * axis permutations (Linear {@code [out, in] -> [in, out]}, Conv {@code OIHW -> HWIO}, maps
 * {@code NCHW -> NHWC}), unit-axis squeezes and bicubic resizing of grid position embeddings.
 */
public final class Layouts {
  private Layouts() {}

  /** {@code out.shape[i] = in.shape[perm[i]]}, like {@code torch.permute}. */
  public static RawTensor permute(RawTensor in, int... perm) {
    long[] shape = in.shape();
    int rank = shape.length;
    if (perm.length != rank) {
      throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " for shape " + in.shapeString());
    }
    long[] outShape = new long[rank];
    long[] inStrides = strides(shape);
    long[] permutedStrides = new long[rank];
    for (int i = 0; i < rank; i++) {
      outShape[i] = shape[perm[i]];
      permutedStrides[i] = inStrides[perm[i]];
    }
    float[] src = in.values();
    float[] out = new float[src.length];
    int[] index = new int[rank];
    long offset = 0;
    for (int o = 0; o < out.length; o++) {
      out[o] = src[(int) offset];
      // advance the output multi-index (last axis fastest) and the matching input offset
      for (int axis = rank - 1; axis >= 0; axis--) {
        index[axis]++;
        offset += permutedStrides[axis];
        if (index[axis] < outShape[axis]) {
          break;
        }
        offset -= permutedStrides[axis] * index[axis];
        index[axis] = 0;
      }
    }
    return new RawTensor(outShape, out);
  }

  /** The shape without its size-1 axes. */
  public static long[] squeezed(long[] shape) {
    return Arrays.stream(shape).filter(d -> d != 1).toArray();
  }

  /**
   * Resizes the spatial axes of an NCHW tensor with PyTorch's {@code F.interpolate(mode='bicubic',
   * align_corners=False)}: cubic convolution with a = -0.75, source coordinate
   * {@code (dst + 0.5) * in / out - 0.5}, border samples clamped.
   */
  public static RawTensor resizeBicubicNchw(RawTensor in, int outH, int outW) {
    long[] s = in.shape();
    if (s.length != 4) {
      throw new IllegalArgumentException("bicubic resize expects NCHW, got " + in.shapeString());
    }
    int planes = Math.toIntExact(s[0] * s[1]);
    int inH = (int) s[2];
    int inW = (int) s[3];
    float[] src = in.values();
    float[] out = new float[planes * outH * outW];
    Taps rows = Taps.of(inH, outH);
    Taps cols = Taps.of(inW, outW);
    for (int p = 0; p < planes; p++) {
      int base = p * inH * inW;
      for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) {
          double sum = 0;
          for (int i = 0; i < 4; i++) {
            int row = base + rows.index[y][i] * inW;
            double rowSum = 0;
            for (int j = 0; j < 4; j++) {
              rowSum += cols.weight[x][j] * src[row + cols.index[x][j]];
            }
            sum += rows.weight[y][i] * rowSum;
          }
          out[(p * outH + y) * outW + x] = (float) sum;
        }
      }
    }
    return new RawTensor(new long[] {s[0], s[1], outH, outW}, out);
  }

  /** The four source indices and cubic weights of each output position along one axis. */
  private record Taps(int[][] index, double[][] weight) {
    private static final double A = -0.75;

    static Taps of(int in, int out) {
      int[][] index = new int[out][4];
      double[][] weight = new double[out][4];
      double scale = (double) in / out;
      for (int o = 0; o < out; o++) {
        double source = (o + 0.5) * scale - 0.5;
        int floor = (int) Math.floor(source);
        double t = source - floor;
        double[] w = {cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
        for (int k = 0; k < 4; k++) {
          index[o][k] = Math.min(Math.max(floor - 1 + k, 0), in - 1);
          weight[o][k] = w[k];
        }
      }
      return new Taps(index, weight);
    }

    /** Kernel for |x| <= 1. */
    private static double cubicNear(double x) {
      return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** Kernel for 1 < |x| < 2. */
    private static double cubicFar(double x) {
      return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
  }

  private static long[] strides(long[] shape) {
    long[] strides = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    return strides;
  }
}
