package org.stmzoo.layers.core;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Outputs of a classifier. For DeiT-style distilled models, {@code logits} is the class-token head in
 * training and the mean of both heads in inference, and {@code distillationLogits} is the distillation head.
 *
 * @param features the pooled embedding {@code [batch, dim]} before the head: what the head consumes
 *     ({@code logits = head(features)}), as timm's {@code forward_head(x, pre_logits=True)} returns it. Distilled
 *     models have two heads on two tokens; their features are the mean of both tokens, as timm's.
 */
public record ClassifierOutput(Operand<TFloat32> logits, Optional<Operand<TFloat32>> distillationLogits,
    Operand<TFloat32> features) {
  /** A single head's {@code logits} computed from {@code features}. */
  public static ClassifierOutput of(Operand<TFloat32> logits, Operand<TFloat32> features) {
    return new ClassifierOutput(logits, Optional.empty(), features);
  }
}
