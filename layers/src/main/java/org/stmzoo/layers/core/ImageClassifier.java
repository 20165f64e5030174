package org.stmzoo.layers.core;

import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** A whole model: NHWC images (already normalised) in, class logits out. */
public interface ImageClassifier {
  ClassifierOutput call(Operand<TFloat32> images, Operand<TBool> training);
}
