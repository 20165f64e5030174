package org.stmzoo.recipes;

import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.LayerScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** A two-convolution classifier with BatchNorm, small enough to train in seconds on two cores. */
final class TinyNet implements ImageClassifier {
  private final Ops tf;
  private final Conv2D conv1;
  private final BatchNorm bn1;
  private final Conv2D conv2;
  private final Dense fc;
  private final Dense distillationFc;

  TinyNet(LayerScope scope, int inChannels, int classes) {
    this(scope, inChannels, classes, false);
  }

  /** With {@code distilled}, a second head plays DeiT's distillation head. */
  TinyNet(LayerScope scope, int inChannels, int classes, boolean distilled) {
    this(scope, inChannels, classes, distilled, true);
  }

  /** Without {@code batchNorm}, every sample's output depends on that sample alone. */
  TinyNet(LayerScope scope, int inChannels, int classes, boolean distilled, boolean batchNorm) {
    tf = scope.tf();
    conv1 = new Conv2D(scope.child("conv1"), Conv2D.Config.of(inChannels, 16, 3, 2, Padding.explicit(1), !batchNorm));
    bn1 = batchNorm ? new BatchNorm(scope.child("bn1"), BatchNorm.Config.torchDefault(16)) : null;
    conv2 = new Conv2D(scope.child("conv2"), Conv2D.Config.of(16, 32, 3, 2, Padding.explicit(1), true));
    fc = new Dense(scope.child("fc"), 32, classes, true);
    distillationFc = distilled ? new Dense(scope.child("fc_dist"), 32, classes, true) : null;
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    Operand<TFloat32> x = conv1.call(images, training);
    x = Activations.gelu(tf, bn1 == null ? x : bn1.call(x, training));
    x = Activations.gelu(tf, conv2.call(x, training));
    x = tf.math.mean(x, tf.constant(new int[] {1, 2}));
    if (distillationFc == null) {
      return ClassifierOutput.of(fc.call(x, training), x);
    }
    return new ClassifierOutput(fc.call(x, training), java.util.Optional.of(distillationFc.call(x, training)), x);
  }
}
