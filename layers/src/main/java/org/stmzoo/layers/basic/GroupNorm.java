package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;

import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * GroupNorm on NHWC maps: statistics per sample and group over (H, W, channels of the group), then a
 * per-channel affine. With one group it is ShiftViT's {@code GroupNorm(1, C)}. PyTorch's eps default 1e-5.
 */
public final class GroupNorm implements Layer {
  public record Config(int groups, int channels, float eps) {
    public Config {
      positive("GroupNorm.Config.groups", groups);
      positive("GroupNorm.Config.channels", channels);
      positiveFinite("GroupNorm.Config.eps", eps);
      if (channels % groups != 0) {
        throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
      }
    }
  }

  private final Config config;
  private final Ops tf;
  private final ModelVariable gamma;
  private final ModelVariable beta;

  public GroupNorm(LayerScope scope, Config config) {
    this.config = config;
    this.tf = scope.tf();
    this.gamma = scope.variable("gamma", Shape.of(config.channels()), Initializer.ones(), VariableRole.NORM_SCALE);
    this.beta = scope.variable("beta", Shape.of(config.channels()), Initializer.zeros(), VariableRole.NORM_SHIFT);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    int c = Shapes.dim(input, 3);
    if (c != config.channels()) {
      throw new IllegalArgumentException("GroupNorm expects " + config.channels() + " channels, got " + input.shape());
    }
    return Normalization.affine(tf, input, gamma.value(), beta.value(), config.groups(), config.eps(), training);
  }
}
