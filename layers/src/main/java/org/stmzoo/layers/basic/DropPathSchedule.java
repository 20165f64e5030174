package org.stmzoo.layers.basic;

/** The stochastic-depth schedule shared by the transformer families and the unified skeleton. */
public final class DropPathSchedule {
  private DropPathSchedule() {}

  /**
   * timm's and STM-Evaluation's "stochastic depth decay rule", {@code torch.linspace(0, rate, blocks)}: block
   * {@code i} of {@code blocks} (counted over the whole network) drops its residual branch with about
   * {@code rate * i / (blocks - 1)}, in float32 as torch's CPU kernel computes it: {@code step = rate / (blocks - 1)},
   * then {@code step * i} for the first half of the blocks and {@code rate - step * (blocks - 1 - i)} in one fused
   * multiply-subtract for the rest, as the kernel is compiled (so the first rate is 0 and the last {@code rate}).
   * The same bits as torch 1.13.1 below 16 blocks; from 16 on torch 1.x computes runs of 8 in vectors, an ulp off
   * at some blocks, which torch 2 no longer does. One block: rate 0.
   */
  public static float[] linear(float rate, int blocks) {
    float[] rates = new float[blocks];
    if (blocks == 1) {
      return rates;
    }
    float step = rate / (blocks - 1);
    int halfway = blocks / 2;
    for (int i = 0; i < blocks; i++) {
      rates[i] = i < halfway ? step * i : Math.fma(-step, blocks - 1 - i, rate);
    }
    return rates;
  }
}
