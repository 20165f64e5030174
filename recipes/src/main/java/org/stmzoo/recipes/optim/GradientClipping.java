package org.stmzoo.recipes.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** {@code torch.nn.utils.clip_grad_norm_}: scale all gradients by min(1, maxNorm / (globalNorm + 1e-6)). */
public final class GradientClipping {
  private GradientClipping() {}

  public static List<Operand<TFloat32>> byGlobalNorm(Ops tf, List<Operand<TFloat32>> gradients, double maxNorm) {
    List<Operand<TFloat32>> squares = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      squares.add(tf.reshape(tf.reduceSum(tf.math.square(g), tf.range(tf.constant(0), tf.rank(g),
          tf.constant(1))), tf.constant(new int[] {1})));
    }
    Operand<TFloat32> norm = tf.math.sqrt(tf.reduceSum(tf.concat(squares, tf.constant(0)), tf.constant(0)));
    Operand<TFloat32> coefficient = tf.math.minimum(tf.constant(1f),
        tf.math.div(tf.constant((float) maxNorm), tf.math.add(norm, tf.constant(1e-6f))));
    List<Operand<TFloat32>> clipped = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      clipped.add(tf.math.mul(g, coefficient));
    }
    return clipped;
  }
}
