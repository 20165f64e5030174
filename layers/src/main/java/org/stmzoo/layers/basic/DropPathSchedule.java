package org.stmzoo.layers.basic;

/** Stochastic-depth schedules shared by the transformer families. */
public final class DropPathSchedule {
  private DropPathSchedule() {}

  /**
   * timm's "stochastic depth decay rule", {@code torch.linspace(0, rate, blocks)}: block {@code i} of
   * {@code blocks} (counted over the whole network) drops its residual branch with {@code rate * i / (blocks - 1)}.
   */
  public static float[] linear(float rate, int blocks) {
    float[] rates = new float[blocks];
    for (int i = 0; i < blocks; i++) {
      rates[i] = blocks == 1 ? 0f : (float) ((double) rate * i / (blocks - 1));
    }
    return rates;
  }
}
