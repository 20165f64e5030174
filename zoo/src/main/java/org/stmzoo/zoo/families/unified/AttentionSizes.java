package org.stmzoo.zoo.families.unified;

import java.util.List;
import org.stmzoo.zoo.registry.VariantConfig;

/**
 * The sizes of a unified family whose STM is multi-head attention: depths, dims and heads per stage and the
 * reference recipe's drop-path rate.
 */
public record AttentionSizes(String size, int[] depths, int[] dims, int[] heads, float dropPath)
    implements VariantConfig {
  /** The sizes {@code halonet_factory.py} and {@code swin_factory.py} share. */
  public static final List<AttentionSizes> STANDARD = List.of(
      new AttentionSizes("micro", new int[] {2, 2, 9, 2}, new int[] {32, 64, 128, 256}, new int[] {1, 2, 4, 8},
          0.0f),
      new AttentionSizes("tiny", new int[] {2, 2, 6, 2}, new int[] {96, 192, 384, 768}, new int[] {3, 6, 12, 24},
          0.2f),
      new AttentionSizes("small", new int[] {2, 2, 18, 2}, new int[] {96, 192, 384, 768},
          new int[] {3, 6, 12, 24}, 0.3f),
      new AttentionSizes("base", new int[] {2, 2, 18, 2}, new int[] {128, 256, 512, 1024},
          new int[] {4, 8, 16, 32}, 0.5f));
}
