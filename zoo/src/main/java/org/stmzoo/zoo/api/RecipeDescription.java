package org.stmzoo.zoo.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.stmzoo.recipes.RecipeConfig;

/** A recipe as a run's args.json records it, under timm's and DeiT's argument names. */
public final class RecipeDescription {
  private RecipeDescription() {}

  /** The recipe as args.json records it (timm's names). */
  public static Map<String, Object> of(RecipeConfig c, String autoAugment) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epochs", c.epochs());
    m.put("batch_size", c.batchSize());
    m.put("lr", c.lr());
    m.put("scaled_lr", c.scaledLr());
    m.put("min_lr", c.minLr());
    m.put("warmup_lr", c.warmupLr());
    m.put("warmup_epochs", c.warmupEpochs());
    m.put("weight_decay", c.weightDecay());
    m.put("clip_grad", c.clipGrad() > 0 ? c.clipGrad() : null);
    m.put("smoothing", c.smoothing());
    m.put("mixup", c.mixup());
    m.put("cutmix", c.cutmix());
    m.put("mixup_switch_prob", c.mixupSwitchProb());
    m.put("aa", autoAugment);
    m.put("reprob", c.reprob());
    m.put("remode", "pixel");
    m.put("model_ema", c.modelEma());
    m.put("model_ema_decay", c.modelEmaDecay());
    m.put("model_ema_eval", c.evalEma());
    m.put("distill_type", c.distillation().type());
    m.put("distill_alpha", c.distillation().alpha());
    m.put("distill_tau", c.distillation().tau());
    m.put("seed", c.seed());
    return m;
  }
}
