package org.stmzoo.layers.core;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Outputs of a classifier. For DeiT-style distilled models, {@code logits} is the class-token head in
 * training and the mean of both heads in inference, and {@code distillationLogits} is the distillation head.
 */
public record ClassifierOutput(Operand<TFloat32> logits, Optional<Operand<TFloat32>> distillationLogits) {
  public static ClassifierOutput of(Operand<TFloat32> logits) {
    return new ClassifierOutput(logits, Optional.empty());
  }
}
