package org.stmzoo.layers.attention;

import static org.stmzoo.layers.core.ConfigChecks.positive;

import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * PiT's pooling between stages (timm's {@code ConvHeadPooling}): the spatial map goes through a depthwise
 * convolution with kernel {@code stride + 1}, padding {@code stride / 2} and {@code outDim / inDim} outputs per
 * input channel (k3 s2 p1, channels doubled, in every PiT), and the prefix tokens through a Linear to the new
 * width. Both keep PyTorch's default init and bias. Variables: {@code conv/kernel [k, k, in, out/in]},
 * {@code conv/bias}, {@code fc/kernel}, {@code fc/bias}.
 */
public final class ConvTokenPooling {
  public record Config(int inDim, int outDim, int stride) {
    public Config {
      positive("ConvTokenPooling.Config.inDim", inDim);
      positive("ConvTokenPooling.Config.outDim", outDim);
      positive("ConvTokenPooling.Config.stride", stride);
      if (outDim % inDim != 0) {
        throw new IllegalArgumentException(
            "pooling width " + outDim + " must be a multiple of the input width " + inDim + " (depthwise conv)");
      }
    }

    public int kernel() {
      return stride + 1;
    }

    public Padding padding() {
      return Padding.explicit(stride / 2);
    }

    /** Output side length for an input side {@code size}. */
    public int outputSize(int size) {
      return padding().outputSize(size, kernel(), stride, true);
    }
  }

  /** The pooled map {@code [B, H', W', out]} and prefix tokens {@code [B, T, out]}. */
  public record Pooled(Operand<TFloat32> map, Operand<TFloat32> tokens) {}

  private final Conv2D conv;
  private final Dense fc;

  public ConvTokenPooling(LayerScope scope, Config config) {
    this.conv = new Conv2D(scope.child("conv"), Conv2D.Config.depthwise(config.inDim(),
        config.outDim() / config.inDim(), config.kernel(), config.stride(), config.padding(), true));
    this.fc = new Dense(scope.child("fc"), Dense.Config.torchDefault(config.inDim(), config.outDim(), true));
  }

  public Pooled call(Operand<TFloat32> map, Operand<TFloat32> tokens, Operand<TBool> training) {
    return new Pooled(conv.call(map, training), fc.call(tokens, training));
  }
}
