package org.stmzoo.layers.basic;

/** Per-block stochastic-depth rates. */
public final class DropPathSchedule {
  private DropPathSchedule() {}

  /** {@code torch.linspace(0, rate, blocks)}: 0 for the first block, {@code rate} for the last. */
  public static float[] linear(float rate, int blocks) {
    float[] rates = new float[blocks];
    for (int i = 0; i < blocks; i++) {
      rates[i] = blocks == 1 ? 0f : (float) ((double) rate * i / (blocks - 1));
    }
    return rates;
  }
}
