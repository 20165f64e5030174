package org.stmzoo.zoo.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.pipeline.RandAugment;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.zoo.api.TrainSpec;

/** The recipe flags, named as timm/DeiT name them, with DeiT's defaults. */
final class RecipeArguments {
  /** Flag, default (null: none), help. */
  private record Flag(String name, String fallback, String help) {}

  private static final Flag[] VALUE_FLAGS = {
      new Flag("epochs", "300", "training epochs"),
      new Flag("batch-size", "64", "images per step"),
      new Flag("lr", "5e-4", "base learning rate for batch 512 (scaled by batch/512)"),
      new Flag("min-lr", "1e-5", "cosine schedule floor"),
      new Flag("warmup-lr", "1e-6", "learning rate at the first warm-up step"),
      new Flag("warmup-epochs", "5", "linear warm-up epochs"),
      new Flag("weight-decay", "0.05", "AdamW decoupled weight decay"),
      new Flag("clip-grad", null, "clip gradients to this global norm"),
      new Flag("smoothing", "0.1", "label smoothing"),
      new Flag("mixup", "0.8", "Mixup alpha (0 = off)"),
      new Flag("cutmix", "1.0", "CutMix alpha (0 = off)"),
      new Flag("mixup-switch-prob", "0.5", "probability of CutMix when both are on"),
      new Flag("aa", TrainSpec.DEFAULT_AUTO_AUGMENT, "RandAugment policy, or 'none'"),
      new Flag("reprob", "0.25", "random-erasing probability"),
      new Flag("scale", String.valueOf(TrainSpec.DEFAULT_MIN_SCALE),
          "RandomResizedCrop's minimum area fraction (the upper bound is 1)"),
      new Flag("model-ema-decay", "0.99996", "EMA decay per step"),
      new Flag("distill-type", "hard", "distillation with --distill-teacher: soft or hard"),
      new Flag("distill-alpha", "0.5", "weight of the distillation loss"),
      new Flag("distill-tau", "1.0", "soft distillation temperature"),
      new Flag("seed", "0", "seed of the init, data order and augmentation"),
  };

  private RecipeArguments() {}

  static Options add(Options options) {
    for (Flag f : VALUE_FLAGS) {
      options.addOption(Option.builder().longOpt(f.name()).hasArg().argName("V")
          .desc(f.help() + (f.fallback() == null ? "" : " (default " + f.fallback() + ")")).build());
    }
    return options
        .addOption(Option.builder().longOpt("model-ema").desc("keep an EMA of the weights").build())
        .addOption(Option.builder().longOpt("model-ema-eval").desc("evaluate the EMA weights each epoch").build());
  }

  /** The recipe the flags give; a value the recipe refuses (out of its range) is a usage error too. */
  static RecipeConfig parse(CommandLine line, boolean hasTeacher) {
    boolean ema = line.hasOption("model-ema") || line.hasOption("model-ema-eval");
    CliArgs.appliesOnlyTo(line, "a run with --distill-teacher", hasTeacher, "distill-type", "distill-alpha",
        "distill-tau");
    CliArgs.appliesOnlyTo(line, "a run with --model-ema or --model-ema-eval", ema, "model-ema-decay");
    String distillType = hasTeacher ? value(line, "distill-type") : "none";
    int epochs = CliArgs.wholeInt("epochs", value(line, "epochs"));
    int batchSize = CliArgs.wholeInt("batch-size", value(line, "batch-size"));
    long seed = CliArgs.wholeLong("seed", value(line, "seed"));
    try {
      return new RecipeConfig(epochs, batchSize, number(line, "lr"), number(line, "min-lr"),
          number(line, "warmup-lr"), number(line, "warmup-epochs"), number(line, "weight-decay"),
          line.hasOption("clip-grad") ? number(line, "clip-grad") : 0, number(line, "smoothing"),
          number(line, "mixup"), number(line, "cutmix"), number(line, "mixup-switch-prob"), number(line, "reprob"),
          ema, number(line, "model-ema-decay"),
          line.hasOption("model-ema-eval"),
          new RecipeConfig.Distillation(distillType, number(line, "distill-alpha"), number(line, "distill-tau")),
          seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** RandomResizedCrop's minimum area fraction (timm's {@code --scale} lower bound), a fraction in (0, 1]. */
  static float minScale(CommandLine line) {
    // the flag's value or the default, parsed alike: a word is a usage error, not NumberFormatException's line
    return (float) CliArgs.fraction("scale", value(line, "scale"), false);
  }

  /** The {@code --aa} RandAugment policy, or null for none. */
  static String autoAugment(CommandLine line) {
    return autoAugmentPolicy(value(line, "aa"));
  }

  /**
   * An {@code --aa} value as the transforms take it: null for 'none'. A policy the transforms would refuse is a
   * usage error now, not an error once the data is loaded and the run folder written.
   */
  static String autoAugmentPolicy(String aa) {
    if (aa.equalsIgnoreCase("none") || aa.isBlank()) {
      return null;
    }
    try {
      RandAugment.Config.parse(aa);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--aa: " + e.getMessage());
    }
    return aa;
  }

  private static String value(CommandLine line, String name) {
    for (Flag f : VALUE_FLAGS) {
      if (f.name().equals(name)) {
        return line.getOptionValue(name, f.fallback());
      }
    }
    throw new IllegalStateException("unknown flag " + name);
  }

  /** A finite number: NaN or Infinity would pass RecipeConfig's range checks. */
  private static double number(CommandLine line, String name) {
    return CliArgs.finiteNumber(name, value(line, name));
  }
}
