package org.stmzoo.layers.mixers;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Slices;
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
 * The pixel that enters at the border is zero. Built from Slice, Pad and ConcatV2, all of which have
 * graph gradients, so the shift is differentiable (its gradient is the opposite shift).
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
    List<Operand<TFloat32>> parts = new ArrayList<>();
    parts.add(shifted(input, 0, g, W_AXIS, -1));
    parts.add(shifted(input, g, 2 * g, W_AXIS, +1));
    parts.add(shifted(input, 2 * g, 3 * g, H_AXIS, -1));
    parts.add(shifted(input, 3 * g, 4 * g, H_AXIS, +1));
    if (4 * g < channels) {
      parts.add(slice(input, new int[] {0, 0, 4 * g}, new int[] {Shapes.dim(input, 1), Shapes.dim(input, 2), channels}));
    }
    return tf.concat(parts, tf.constant(3));
  }

  /**
   * Channels {@code [from, to)} moved by one pixel along {@code axis}: {@code direction -1} gives
   * {@code out[i] = x[i + 1]} (content moves towards index 0), {@code +1} gives {@code out[i] = x[i - 1]}.
   * The row or column that falls off is dropped by the slice; the one that enters is the pad's zero.
   */
  private Operand<TFloat32> shifted(Operand<TFloat32> x, int from, int to, int axis, int direction) {
    int[] begin = {0, 0, from};
    int[] end = {Shapes.dim(x, 1), Shapes.dim(x, 2), to};
    int[][] padding = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    if (direction < 0) {
      begin[axis - 1] = 1;
      padding[axis][1] = 1;
    } else {
      end[axis - 1] -= 1;
      padding[axis][0] = 1;
    }
    return tf.pad(slice(x, begin, end), tf.constant(padding), tf.constant(0f));
  }

  /** {@code x[:, begin[0]:end[0], begin[1]:end[1], begin[2]:end[2]]}, the batch left whole (it may be dynamic). */
  private Operand<TFloat32> slice(Operand<TFloat32> x, int[] begin, int[] end) {
    // Slice, not StridedSlice: its gradient is a pad, StridedSliceGrad is far slower on CPU.
    return Slices.range(tf, x, new int[] {1, 2, 3}, new long[] {begin[0], begin[1], begin[2]},
        new long[] {end[0], end[1], end[2]});
  }
}
