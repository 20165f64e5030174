package org.stmzoo.layers.shiftvit;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;
import static org.stmzoo.layers.core.ConfigChecks.rate;

import org.stmzoo.layers.basic.ConvMlp;
import org.stmzoo.layers.basic.DropPath;
import org.stmzoo.layers.basic.Mlp;
import org.stmzoo.layers.basic.Residual;
import org.stmzoo.layers.basic.Sequential;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.mixers.ShiftMixer;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * SPACH's {@code ShiftViTBlock} on NHWC maps: {@code x = shift(x); x = x + DropPath(MLP(GN1(x)))}. The shift
 * replaces attention and has no parameters, so the block's only norm is the reference's {@code norm2}.
 * Variables {@code norm2/gamma|beta}, {@code mlp/fc1|fc2}.
 */
public final class ShiftVitBlock implements Layer {
  /**
   * @param dim channels
   * @param nDiv channel groups of the shift (four of them move)
   * @param mlpRatio hidden width of the MLP over {@code dim}
   * @param dropPath this block's stochastic-depth rate
   */
  public record Config(int dim, int nDiv, double mlpRatio, float dropPath) {
    public Config {
      positive("ShiftVitBlock.Config.dim", dim);
      positive("ShiftVitBlock.Config.nDiv", nDiv);
      positiveFinite("ShiftVitBlock.Config.mlpRatio", mlpRatio);
      rate("ShiftVitBlock.Config.dropPath", dropPath);
    }
  }

  private final ShiftMixer shift;
  private final Residual mlpBranch;

  public ShiftVitBlock(LayerScope scope, Config config) {
    this.shift = new ShiftMixer(scope.child("shift"), new ShiftMixer.Config(config.nDiv()));
    Layer norm = ShiftVitNetwork.groupNorm1(scope.child("norm2"), config.dim());
    Layer mlp = new ConvMlp(scope.child("mlp"), Mlp.Config.of(config.dim(), config.mlpRatio()));
    this.mlpBranch = new Residual(scope.tf(), Sequential.of(norm, mlp),
        new DropPath(scope.child("drop_path"), config.dropPath()));
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return mlpBranch.call(shift.call(input, training), training);
  }
}
