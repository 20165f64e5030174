package org.stmzoo.layers.core;

/**
 * What a variable is for. Optimizers and importers decide from the role (not from the name) whether a
 * variable is trained, decayed or converted, so that every family follows the same rules.
 */
public enum VariableRole {
  /** A Linear or convolution kernel: trained, weight-decayed. */
  KERNEL(true, true),
  /** An additive bias of a Linear or convolution: trained, not decayed (timm's ".bias" rule). */
  BIAS(true, false),
  /** Scale of a normalisation layer (1-D): trained, not decayed. */
  NORM_SCALE(true, false),
  /** Shift of a normalisation layer (1-D): trained, not decayed. */
  NORM_SHIFT(true, false),
  /** Per-channel residual scale. The references keep these 1-D or as [1,C,1,1]; decay is decided by the owner. */
  LAYER_SCALE(true, false),
  /** Position embeddings, class and distillation tokens: trained, excluded from decay as timm's no_weight_decay. */
  EMBEDDING(true, false),
  /**
   * Relative-position tables: trained, not decayed by default (Swin's bias table, in the reference's no_weight_decay);
   * HaloNet's 2-D relative logits take this role with decay on, as the reference decays its 2-D parameters.
   */
  RELATIVE_POSITION(true, false),
  /** BatchNorm running statistics: state updated in training, never trained. */
  MOVING_STATISTIC(false, false),
  /** Training state that is not part of the model function: optimizer slots, EMA copies, step counters. */
  TRAINING_STATE(false, false);

  private final boolean trainable;
  private final boolean decayByDefault;

  VariableRole(boolean trainable, boolean decayByDefault) {
    this.trainable = trainable;
    this.decayByDefault = decayByDefault;
  }

  public boolean trainable() {
    return trainable;
  }

  public boolean decayByDefault() {
    return decayByDefault;
  }
}
