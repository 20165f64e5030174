package org.stmzoo.recipes.optim;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@code torch.optim.AdamW} as graph ops. Per variable p with gradient g at step t (1-based):
 * <pre>
 *   p <- p (1 - lr wd)                      (only where ModelVariable.weightDecay())
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * The moments ({@code optimizer/exp_avg/PATH}, {@code optimizer/exp_avg_sq/PATH}) and the step count
 * ({@code optimizer/step}) are {@link VariableRole#TRAINING_STATE} variables, so checkpoints carry them. The step
 * count is a float32 scalar, as torch's {@code state['step']} is: past 2^24 updates it stops counting, where
 * {@code b1^t} and {@code b2^t} have long been 0 in float32, so the updates stay exact (the trainer counts steps
 * itself, in a long).
 */
public final class AdamW {
  /** Hyper-parameters; {@code weightDecay} is the decoupled decay of PyTorch's AdamW. */
  public record Config(double beta1, double beta2, double eps, double weightDecay) {
    public static Config deit(double weightDecay) {
      return new Config(0.9, 0.999, 1e-8, weightDecay);
    }
  }

  private final Config config;
  private final ModelVariable step;
  private final List<ModelVariable> params;
  private final List<ModelVariable> expAvg = new ArrayList<>();
  private final List<ModelVariable> expAvgSq = new ArrayList<>();

  public AdamW(LayerScope scope, List<ModelVariable> params, Config config) {
    this.config = config;
    this.params = List.copyOf(params);
    this.step = scope.variable("step", Shape.scalar(), Initializer.zeros(), VariableRole.TRAINING_STATE);
    for (ModelVariable p : params) {
      expAvg.add(ShadowVariables.of(scope.child("exp_avg"), p, Initializer.zeros()));
      expAvgSq.add(ShadowVariables.of(scope.child("exp_avg_sq"), p, Initializer.zeros()));
    }
  }

  /** The number of updates made so far. */
  public ModelVariable step() {
    return step;
  }

  /**
   * The update ops for one step. Reads of the parameters are the ones the gradients were taken at (each
   * variable's single {@code value()}), so every update uses pre-step values.
   */
  public List<Op> apply(Ops tf, List<Operand<TFloat32>> gradients, Operand<TFloat32> lr) {
    if (gradients.size() != params.size()) {
      throw new IllegalArgumentException("need one gradient per parameter");
    }
    Operand<TFloat32> t = tf.math.add(step.value(), tf.constant(1f));
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> b1 = tf.constant((float) config.beta1());
    Operand<TFloat32> b2 = tf.constant((float) config.beta2());
    Operand<TFloat32> b1Power = tf.math.pow(b1, t);
    Operand<TFloat32> b2Power = tf.math.pow(b2, t);
    Operand<TFloat32> decayFactor = tf.math.sub(one, tf.math.mul(lr, tf.constant((float) config.weightDecay())));
    // TF's Adam kernel computes p - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps'), which is torch's
    // p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps) when eps' = eps * sqrt(1 - b2^t).
    Operand<TFloat32> epsHat = tf.math.mul(tf.constant((float) config.eps()),
        tf.math.sqrt(tf.math.sub(one, b2Power)));

    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      ModelVariable p = params.get(i);
      Ops apply = tf;
      if (p.weightDecay() && config.weightDecay() != 0) {
        // decoupled decay first, from the value the gradients were taken at; Adam then updates the decayed p
        apply = tf.withControlDependencies(List.of(
            tf.assignVariableOp(p.handle(), tf.math.mul(p.value(), decayFactor))));
      }
      // One kernel per variable for both moments and the parameter (instead of a dozen elementwise ops).
      updates.add(apply.train.resourceApplyAdam(p.handle(), expAvg.get(i).handle(), expAvgSq.get(i).handle(),
          b1Power, b2Power, lr, b1, b2, epsHat, gradients.get(i)));
    }
    updates.add(tf.assignVariableOp(step.handle(), t));
    return updates;
  }
}
