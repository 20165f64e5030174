package org.stmzoo.zoo.predict;

import java.util.List;
import org.stmzoo.zoo.weights.RawTensor;

/** A loaded model that maps a normalised NHWC batch to class logits, whatever it was loaded from. */
public interface Predictor extends AutoCloseable {
  String modelName();

  /** Class names in logit order, empty if unknown. */
  List<String> classNames();

  /** Logits {@code [batch][classes]} of a float32 NHWC batch fed as it is. */
  float[][] logits(RawTensor nhwcBatch);

  @Override
  void close();
}
