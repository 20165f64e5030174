package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.finite;
import static org.stmzoo.layers.core.ConfigChecks.positive;

import org.stmzoo.layers.core.EndsInProjection;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Per-channel residual scale {@code gamma [dim]} initialised to {@code init} (1e-6 in the unified skeleton).
 * {@code decay} says whether AdamW decays it: the unified references store gamma as [1,C,1,1], which timm's
 * "ndim <= 1" rule decays, while 1-D gammas are not decayed.
 */
public final class LayerScale implements Layer {
  public record Config(int dim, float init, boolean decay) {
    public Config {
      positive("LayerScale.Config.dim", dim);
      finite("LayerScale.Config.init", init);
    }
  }

  private final Ops tf;
  private final ModelGraph model;
  private final ModelVariable gamma;

  public LayerScale(LayerScope scope, Config config) {
    this.tf = scope.tf();
    this.model = scope.model();
    this.gamma = scope.variable("gamma", Shape.of(config.dim()), Initializer.constant(config.init()),
        VariableRole.LAYER_SCALE, config.decay());
  }

  /**
   * Declares this scale as the last op of {@code branch}, so that inference calls take it into the branch's last
   * projection ({@link ModelGraph#foldScale}); {@link #call} then returns its input there. Declare it before the
   * branch is called.
   */
  public void foldInto(EndsInProjection branch) {
    model.foldScale(gamma, branch);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    return model.scaleFolded(gamma, training) ? input : tf.math.mul(input, gamma.value());
  }
}
