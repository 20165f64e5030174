package org.stmzoo.layers.mixers;

import java.util.List;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * ShiftViT's parameter-free token mixer ({@code ShiftViTBlock.shift_feat}) on NHWC maps. With
 * {@code g = C / nDiv} channels per group:
 * <pre>
 * channels [0g, 1g): out[h, w] = x[h, w + 1]   (shifted left)
 * channels [1g, 2g): out[h, w] = x[h, w - 1]   (shifted right)
 * channels [2g, 3g): out[h, w] = x[h + 1, w]   (shifted up)
 * channels [3g, 4g): out[h, w] = x[h - 1, w]   (shifted down)
 * channels [4g, C):  unchanged
 * </pre>
 * The pixel that enters at the border is zero. Built as a depthwise convolution with a fixed one-hot kernel,
 * which has a graph gradient, so the shift is differentiable (its gradient is the opposite shift).
 */
public final class ShiftMixer implements Layer {
  /** @param nDiv the channels are cut into {@code nDiv} groups; four of them move (12 or 16 in ShiftViT) */
  public record Config(int nDiv) {
    public Config {
      if (nDiv < 4) {
        throw new IllegalArgumentException("ShiftViT shifts four channel groups, so n_div must be >= 4, got " + nDiv);
      }
    }
  }

  private static final int H_AXIS = 1;
  private static final int W_AXIS = 2;

  private final Config config;
  private final Ops tf;

  public ShiftMixer(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    int channels = Shapes.dim(input, 3);
    int g = channels / config.nDiv();
    if (g == 0) {
      return input; // as in the reference, fewer channels than groups means nothing moves
    }
    // One depthwise 3x3 convolution whose kernel is, per channel, a single 1 at the neighbour it copies from: one
    // oneDNN kernel instead of 4 slices, 4 pads and a concatenation (about a sixth of ShiftViT's batch-1 step).
    // Exact: each output is 1 * x plus eight products 0 * x, and the zero padding supplies the entering pixels.
    return tf.nn.depthwiseConv2dNative(input, tf.constant(shiftKernel(channels, g)), List.of(1L, 1L, 1L, 1L),
        "SAME");
  }

  /** The {@code [3, 3, C, 1]} one-hot kernel of the shift: row offset dh and column offset dw of each source. */
  static float[][][][] shiftKernel(int channels, int g) {
    float[][][][] kernel = new float[3][3][channels][1];
    for (int c = 0; c < channels; c++) {
      int group = c / g;
      int dh = 0;
      int dw = 0;
      switch (group) {
        case 0 -> dw = 1; // out[h, w] = x[h, w + 1]
        case 1 -> dw = -1; // out[h, w] = x[h, w - 1]
        case 2 -> dh = 1; // out[h, w] = x[h + 1, w]
        case 3 -> dh = -1; // out[h, w] = x[h - 1, w]
        default -> { } // unchanged
      }
      kernel[1 + dh][1 + dw][c][0] = 1f;
    }
    return kernel;
  }
}
