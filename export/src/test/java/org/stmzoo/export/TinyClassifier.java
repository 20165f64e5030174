package org.stmzoo.export;

import java.util.List;
import org.stmzoo.layers.basic.Activations;
import org.stmzoo.layers.basic.BatchNorm;
import org.stmzoo.layers.basic.Conv2D;
import org.stmzoo.layers.basic.Dense;
import org.stmzoo.layers.basic.Dropout;
import org.stmzoo.layers.basic.Padding;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.Preprocessing;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A hand-built classifier small enough for unit tests but with the parts an export must handle: a strided
 * convolution, BatchNorm (moving statistics are variables too), dropout (must vanish) and a linear head.
 */
final class TinyClassifier implements ImageClassifier {
  static final int SIZE = 32;
  static final List<String> CLASSES = List.of("apple", "bee", "cat", "dog", "eel", "fig", "gnu");
  static final Preprocessing PREPROCESSING = Preprocessing.imagenet();

  private final Ops tf;
  private final Conv2D conv;
  private final BatchNorm norm;
  private final Dropout dropout;
  private final Dense head;

  TinyClassifier(LayerScope scope) {
    this.tf = scope.tf();
    this.conv = new Conv2D(scope.child("conv"), Conv2D.Config.torchDefault(3, 8, 3, 2, Padding.same(3), 1, true));
    this.norm = new BatchNorm(scope.child("norm"), BatchNorm.Config.torchDefault(8));
    this.dropout = new Dropout(scope.child("dropout"), 0.5f);
    this.head = new Dense(scope.child("head"), Dense.Config.torchDefault(8, CLASSES.size(), true));
  }

  @Override
  public ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training) {
    Operand<TFloat32> x = Activations.gelu(tf, norm.call(conv.call(images, training), training));
    Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
    return ClassifierOutput.of(head.call(dropout.call(pooled, training), training), pooled);
  }

  static ExportRequest request(WeightSource weights) {
    return new ExportRequest("tiny", "tiny_reference", SIZE, PREPROCESSING, CLASSES, TinyClassifier::new,
        weights, 11L, null, 1, 1, false);
  }
}
