package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.positive;
import static org.stmzoo.layers.core.ConfigChecks.positiveFinite;

import java.util.List;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.Layer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Training;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * BatchNorm over the last axis, with PyTorch semantics: training normalises with the batch's biased
 * variance and updates {@code moving_mean}/{@code moving_variance} with momentum 0.1 using the unbiased
 * variance; inference uses the moving statistics. The updates are registered as state updates of the model
 * (a training step runs them) and only change the statistics when {@code training} is true. As PyTorch, training
 * needs more than one value per channel (batch x H x W): a batch of one value has no variance.
 */
public final class BatchNorm implements Layer {
  /**
   * @param momentum PyTorch's momentum: the weight of the new batch in the running statistics, 0.1 by default
   *     (Keras's momentum is the other weight, so its 0.99 here would make the running statistics nearly the
   *     last batch's)
   */
  public record Config(int channels, float eps, float momentum) {
    public Config {
      positive("BatchNorm.Config.channels", channels);
      positiveFinite("BatchNorm.Config.eps", eps);
      if (!(momentum >= 0 && momentum <= 1)) { // NaN too
        throw new IllegalArgumentException("BatchNorm.Config.momentum must be in [0, 1], got " + momentum
            + " (PyTorch's momentum: the weight of the new batch in the running statistics, 0.1 by default)");
      }
    }

    public static Config torchDefault(int channels) {
      return new Config(channels, 1e-5f, 0.1f);
    }
  }

  private final Config config;
  private final LayerScope scope;
  private final Ops tf;
  private final ModelVariable gamma;
  private final ModelVariable beta;
  private final ModelVariable movingMean;
  private final ModelVariable movingVariance;

  public BatchNorm(LayerScope scope, Config config) {
    this.config = config;
    this.scope = scope;
    this.tf = scope.tf();
    int c = config.channels();
    this.gamma = scope.variable("gamma", Shape.of(c), Initializer.ones(), VariableRole.NORM_SCALE);
    this.beta = scope.variable("beta", Shape.of(c), Initializer.zeros(), VariableRole.NORM_SHIFT);
    this.movingMean = scope.variable("moving_mean", Shape.of(c), Initializer.zeros(), VariableRole.MOVING_STATISTIC);
    this.movingVariance =
        scope.variable("moving_variance", Shape.of(c), Initializer.ones(), VariableRole.MOVING_STATISTIC);
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    if (Shapes.dim(input, -1) != config.channels()) {
      throw new IllegalArgumentException("BatchNorm expects " + config.channels() + " channels, got " + input.shape());
    }
    int[] axes = Shapes.leadingAxes(input.shape().numDimensions());
    Operand<TFloat32> inference = affine(tf.math.mul(tf.math.sub(input, movingMean.value()),
        tf.math.rsqrt(tf.math.add(movingVariance.value(), tf.constant(config.eps())))));
    if (Training.staticValue(training).equals(java.util.Optional.of(false))) {
      return inference;
    }
    Operand<TFloat32> mean = tf.math.mean(input, tf.constant(axes));
    Operand<TFloat32> centered = tf.math.sub(input, mean);
    Operand<TFloat32> sumSquares = tf.reduceSum(tf.math.square(centered), tf.constant(axes));
    Operand<TFloat32> count = checkedValuesPerChannel(input, training);
    Operand<TFloat32> variance = tf.math.div(sumSquares, count);
    // count > 1 wherever training is true (checked above): the clamp only keeps 0/0 out of the inference run's
    // discarded moving-statistics update
    Operand<TFloat32> unbiased = tf.math.div(sumSquares, tf.math.maximum(tf.math.sub(count, tf.constant(1f)),
        tf.constant(1f)));
    Operand<TFloat32> batchNormalized = affine(tf.math.mul(centered,
        tf.math.rsqrt(tf.math.add(variance, tf.constant(config.eps())))));

    Operand<TFloat32> m = tf.constant(config.momentum());
    Operand<TFloat32> newMean = tf.math.add(tf.math.mul(tf.math.sub(tf.constant(1f), m), movingMean.value()),
        tf.math.mul(m, tf.stopGradient(mean)));
    Operand<TFloat32> newVar = tf.math.add(tf.math.mul(tf.math.sub(tf.constant(1f), m), movingVariance.value()),
        tf.math.mul(m, tf.stopGradient(unbiased)));
    scope.model().addStateUpdate(movingMean, tf.select(training, newMean, movingMean.value()));
    scope.model().addStateUpdate(movingVariance, tf.select(training, newVar, movingVariance.value()));
    return Training.select(tf, training, () -> batchNormalized, () -> inference);
  }

  /**
   * How many values each channel's statistics are taken over (batch x H x W), which training needs to be more than
   * one, as PyTorch does ("Expected more than 1 value per channel when training"). Refused here where the shape
   * says it is one in a call that trains; otherwise, unless the shape says it is more, an Assert (one scalar op)
   * fails a run that trains on one.
   */
  private Operand<TFloat32> checkedValuesPerChannel(Operand<TFloat32> input, Operand<TBool> training) {
    Operand<TFloat32> count = tf.dtypes.cast(
        tf.math.div(tf.size(input), tf.constant(config.channels())), TFloat32.class);
    long known = staticValuesPerChannel(input.shape(), 0);
    // a batch of unknown size holds at least one image (the trainer refuses empty batches): a map of more than one
    // position per image has enough values whatever the batch, so training graphs need no Assert either
    if (known > 1 || staticValuesPerChannel(input.shape(), 1) > 1) {
      return count;
    }
    String message = "BatchNorm expects more than 1 value per channel when training (as PyTorch), got input "
        + input.shape();
    boolean trains = Training.staticValue(training).orElse(false);
    if (known >= 0 && trains) {
      throw new IllegalArgumentException(message);
    }
    Operand<TBool> enough = tf.math.greater(count, tf.constant(1f));
    Operand<TBool> ok = trains ? enough : tf.math.logicalOr(tf.math.logicalNot(training), enough);
    Op check = tf.assertThat(ok, List.of(tf.constant(message)));
    return tf.withControlDependencies(List.of(check)).identity(count);
  }

  /** The product of the axes from {@code firstAxis} up to the channels' (excluded), -1 if one is unknown. */
  private static long staticValuesPerChannel(Shape shape, int firstAxis) {
    long product = 1;
    for (int i = firstAxis; i < shape.numDimensions() - 1; i++) {
      if (shape.get(i) < 0) {
        return -1;
      }
      product *= shape.get(i);
    }
    return product;
  }

  private Operand<TFloat32> affine(Operand<TFloat32> normalized) {
    return tf.math.add(tf.math.mul(normalized, gamma.value()), beta.value());
  }
}
