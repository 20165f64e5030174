package org.stmzoo.zoo.families;

import java.util.List;
import org.stmzoo.layers.mixers.SwinMixer;
import org.stmzoo.layers.unified.UnifiedBlock;
import org.stmzoo.layers.unified.UnifiedSkeleton;
import org.stmzoo.zoo.registry.ModelEntry;

/**
 * U-Swin (STM-Evaluation, {@code model_factory/swin_factory.py}, {@code blocks/swin.py}): the unified skeleton
 * with shifted-window attention (window 7, shift 3 on odd blocks of a stage) as its STM. The reference
 * {@code SwinBlock} is the unified block with LayerNorm2d (eps 1e-6) and 1-D layer scales (not decayed).
 */
public final class UnifiedSwin {
  static final int WINDOW_SIZE = 7;

  private UnifiedSwin() {}

  public static List<ModelEntry> entries() {
    return UnifiedAttentionVariant.STANDARD.stream().map(v -> v.entry("swin", "window=" + WINDOW_SIZE,
        UnifiedBlock.factory(new UnifiedBlock.Config(
            (scope, ctx) -> new SwinMixer(scope, new SwinMixer.Config(ctx.dim(), v.heads()[ctx.stage()],
                WINDOW_SIZE, ctx.height(), ctx.width(), ctx.index() % 2 == 1)),
            4.0, UnifiedSkeleton.NORM_EPS, false)))).toList();
  }
}
