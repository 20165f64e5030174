package org.stmzoo.recipes.train;

import org.stmzoo.recipes.RecipeConfig.Distillation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The recipe's losses: timm's soft-target cross-entropy and DeiT's {@code DistillationLoss}. */
public final class Losses {
  private Losses() {}

  /** {@code mean_b sum_k -targets[b,k] log_softmax(logits)[b,k]} (timm's SoftTargetCrossEntropy). */
  public static Operand<TFloat32> softTargetCrossEntropy(Ops tf, Operand<TFloat32> logits,
      Operand<TFloat32> targets) {
    return tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, targets).loss(), tf.constant(0));
  }

  /**
   * Plain cross-entropy against class indices (one-hot targets: TF has a C++ gradient for the dense
   * softmax cross-entropy, not for the sparse one).
   */
  public static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    int classes = (int) logits.shape().get(-1);
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    return softTargetCrossEntropy(tf, logits, oneHot);
  }

  /**
   * DeiT's distillation: {@code (1 - alpha) base + alpha kd}, where {@code base} is the soft-target loss of the
   * class head and {@code kd} is, for 'hard', the cross-entropy of the distillation head against the teacher's
   * arg-max, and for 'soft', {@code KL(teacher_tau || student_tau) * tau^2} summed and divided by the number of
   * logits (DeiT's {@code reduction='sum'} / {@code numel}). The teacher gets no gradient.
   */
  public static Operand<TFloat32> distillation(Ops tf, Distillation config, Operand<TFloat32> classLogits,
      Operand<TFloat32> distillationLogits, Operand<TFloat32> teacherLogits, Operand<TFloat32> targets) {
    Operand<TFloat32> base = softTargetCrossEntropy(tf, classLogits, targets);
    Operand<TFloat32> teacher = tf.stopGradient(teacherLogits);
    Operand<TFloat32> kd;
    if (config.type().equals("hard")) {
      Operand<TInt32> teacherLabels = tf.math.argMax(teacher, tf.constant(1), TInt32.class);
      kd = crossEntropy(tf, distillationLogits, teacherLabels);
    } else {
      Operand<TFloat32> tau = tf.constant((float) config.tau());
      Operand<TFloat32> logStudent = tf.nn.logSoftmax(tf.math.div(distillationLogits, tau));
      Operand<TFloat32> logTeacher = tf.nn.logSoftmax(tf.math.div(teacher, tau));
      Operand<TFloat32> pointwise = tf.math.mul(tf.math.exp(logTeacher), tf.math.sub(logTeacher, logStudent));
      Operand<TFloat32> count = tf.dtypes.cast(tf.size(pointwise), TFloat32.class);
      kd = tf.math.mul(tf.math.div(tf.reduceSum(pointwise, tf.constant(new int[] {0, 1})), count),
          tf.math.mul(tau, tau));
    }
    float alpha = (float) config.alpha();
    return tf.math.add(tf.math.mul(base, tf.constant(1f - alpha)), tf.math.mul(kd, tf.constant(alpha)));
  }
}
