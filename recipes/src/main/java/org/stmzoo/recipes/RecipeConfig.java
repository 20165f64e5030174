package org.stmzoo.recipes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmzoo.layers.core.ConfigChecks;

/**
 * The training recipe, named and defaulted as DeiT's {@code main.py} (which STM-Evaluation, PiT and ShiftViT
 * reuse). {@code lr} is the base rate for a batch of 512; the effective rate scales linearly with the batch.
 *
 * @param epochs training epochs; the cosine schedule ends at the last step of the last epoch
 * @param batchSize images per step
 * @param lr base learning rate for batch 512
 * @param minLr the floor of the cosine schedule
 * @param warmupLr the rate at step 0 of the linear warm-up
 * @param warmupEpochs warm-up length in epochs (converted to steps: the schedule moves every step)
 * @param weightDecay AdamW's decoupled weight decay, for variables whose {@code weightDecay()} is true
 * @param clipGrad gradient clipping by global norm; 0 disables
 * @param smoothing label smoothing folded into the soft targets
 * @param mixup Mixup alpha (0 disables)
 * @param cutmix CutMix alpha (0 disables)
 * @param mixupSwitchProb probability of CutMix instead of Mixup when both are enabled
 * @param reprob random-erasing probability per image ('pixel' mode)
 * @param modelEma keep an exponential moving average of the weights
 * @param modelEmaDecay the EMA decay per step
 * @param evalEma evaluate the EMA weights (instead of the live ones) after each epoch
 * @param distillation teacher settings; {@link Distillation#none()} to train on the labels only
 * @param seed seeds the model init, the data order and every augmentation draw
 */
public record RecipeConfig(int epochs, int batchSize, double lr, double minLr, double warmupLr, double warmupEpochs,
    double weightDecay, double clipGrad, double smoothing, double mixup, double cutmix, double mixupSwitchProb,
    double reprob, boolean modelEma, double modelEmaDecay, boolean evalEma, Distillation distillation, long seed) {

  /** DeiT's distillation settings: {@code type} none, soft or hard; {@code alpha} weighs the teacher term. */
  public record Distillation(String type, double alpha, double tau) {
    public Distillation {
      ConfigChecks.finite("distillation alpha", alpha);
      ConfigChecks.finite("distillation tau", tau);
      if (!type.equals("none") && !type.equals("soft") && !type.equals("hard")) {
        throw new IllegalArgumentException("distillation type must be none, soft or hard, got '" + type + "'");
      }
      if (alpha < 0 || alpha > 1) {
        throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
      }
      if (tau <= 0) {
        throw new IllegalArgumentException("distillation tau must be positive, got " + tau);
      }
    }

    public static Distillation none() {
      return new Distillation("none", 0.5, 1.0);
    }

    public boolean enabled() {
      return !type.equals("none");
    }

    /** Refuses a teacher without a distillation type, or a distillation type without a teacher. */
    public void checkTeacher(boolean teacherGiven) {
      if (enabled() != teacherGiven) {
        throw new IllegalArgumentException(enabled()
            ? "distillation '" + type + "' needs a teacher (--distill-teacher)"
            : "a teacher was given but the distillation type is 'none'");
      }
    }
  }

  public RecipeConfig {
    // NaN passes every range check below (its comparisons are all false) and infinities pass most of them
    ConfigChecks.finite("lr", lr);
    ConfigChecks.finite("minLr", minLr);
    ConfigChecks.finite("warmupLr", warmupLr);
    ConfigChecks.finite("warmupEpochs", warmupEpochs);
    ConfigChecks.finite("weightDecay", weightDecay);
    ConfigChecks.finite("clipGrad", clipGrad);
    ConfigChecks.finite("smoothing", smoothing);
    ConfigChecks.finite("mixup", mixup);
    ConfigChecks.finite("cutmix", cutmix);
    ConfigChecks.finite("mixupSwitchProb", mixupSwitchProb);
    ConfigChecks.finite("reprob", reprob);
    ConfigChecks.finite("modelEmaDecay", modelEmaDecay);
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if ((mixup > 0 || cutmix > 0) && batchSize % 2 != 0) {
      throw new IllegalArgumentException("Mixup/CutMix pair each image with its mirror in the batch: "
          + "the batch size must be even, got " + batchSize);
    }
    if (lr <= 0 || minLr < 0 || warmupLr < 0 || warmupEpochs < 0) {
      throw new IllegalArgumentException("learning rates and warm-up must be non-negative (lr positive)");
    }
    if (smoothing < 0 || smoothing >= 1) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
    }
    if (mixup < 0 || cutmix < 0 || mixupSwitchProb < 0 || mixupSwitchProb > 1) {
      throw new IllegalArgumentException("mixup/cutmix alphas must be >= 0 and the switch probability in [0, 1]");
    }
    if (reprob < 0 || reprob > 1) {
      throw new IllegalArgumentException("random-erasing probability must be in [0, 1], got " + reprob);
    }
    if (modelEmaDecay < 0 || modelEmaDecay >= 1) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + modelEmaDecay);
    }
    if (weightDecay < 0 || clipGrad < 0) {
      throw new IllegalArgumentException("weight decay and gradient clipping must be non-negative");
    }
  }

  /** DeiT's defaults for {@code epochs} epochs of batch {@code batchSize}. */
  public static RecipeConfig deit(int epochs, int batchSize) {
    return new RecipeConfig(epochs, batchSize, 5e-4, 1e-5, 1e-6, 5, 0.05, 0, 0.1, 0.8, 1.0, 0.5, 0.25,
        false, 0.99996, false, Distillation.none(), 0);
  }

  /** DeiT's linear scaling rule: {@code lr x batch / 512}. */
  public double scaledLr() {
    return lr * batchSize / 512.0;
  }

  /**
   * What a user of these settings should hear before training, where DeiT's defaults (made for 300 epochs at
   * batch 1024) do not fit the run: a warm-up as long as the run, so the rate never reaches {@link #scaledLr()};
   * a floor above the peak, as {@code --min-lr} is not scaled by the batch (DeiT scales only {@code --lr}), so the
   * cosine "decay" rises. Empty when neither applies.
   */
  public List<String> scheduleNotes() {
    List<String> notes = new ArrayList<>();
    if (warmupEpochs > 0 && warmupEpochs >= epochs) {
      notes.add(String.format(Locale.ROOT, "--warmup-epochs %s is not shorter than the run's %d epochs: the rate"
          + " rises from --warmup-lr %.1e and never reaches %.3e (give fewer warm-up epochs, e.g."
          + " --warmup-epochs %d)", trim(warmupEpochs), epochs, warmupLr, scaledLr(), Math.max(0, epochs / 5)));
    }
    if (minLr > scaledLr()) {
      notes.add(String.format(Locale.ROOT, "--min-lr %.1e is above the peak rate %.3e (--lr %.1e x batch %d / 512;"
          + " --min-lr is not scaled by the batch): the cosine rises to it instead of decaying (give a --min-lr"
          + " below the peak)", minLr, scaledLr(), lr, batchSize));
    }
    return notes;
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  public RecipeConfig withEpochs(int e) {
    return new RecipeConfig(e, batchSize, lr, minLr, warmupLr, warmupEpochs, weightDecay, clipGrad, smoothing,
        mixup, cutmix, mixupSwitchProb, reprob, modelEma, modelEmaDecay, evalEma, distillation, seed);
  }
}
