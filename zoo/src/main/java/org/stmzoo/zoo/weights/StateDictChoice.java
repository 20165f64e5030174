package org.stmzoo.zoo.weights;

import java.util.List;

/**
 * Which state dict of a training checkpoint to import. Training scripts save the model's weights beside their
 * exponential moving average: STM-Evaluation's and DeiT's {@code save_model} under {@code model} and
 * {@code model_ema}, timm's under {@code state_dict} and {@code state_dict_ema}; release files are often the bare
 * state dict or {@code {'model': ...}}.
 */
public enum StateDictChoice {
  /** {@code model} or {@code state_dict}, else the file's top-level dict when it is itself a state dict. */
  MODEL(List.of("model", "state_dict"), true),
  /** {@code model_ema} or {@code state_dict_ema}. */
  EMA(List.of("model_ema", "state_dict_ema"), false);

  private final List<String> keys;
  private final boolean topLevel;

  StateDictChoice(List<String> keys, boolean topLevel) {
    this.keys = keys;
    this.topLevel = topLevel;
  }

  /** The top-level keys this choice takes, in order of preference. */
  public List<String> keys() {
    return keys;
  }

  /** Whether a file whose top-level dict is itself a state dict satisfies this choice. */
  public boolean acceptsTopLevel() {
    return topLevel;
  }
}
