package org.stmzoo.zoo.families.unified;

import java.util.List;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.pretrained.PretrainedManifest;

/**
 * STM-Evaluation's ImageNet-1k classification checkpoints, published as the release assets
 * {@code cls-ckpt/unified_<stm>_<size>.pth}, evaluated at 224 with ImageNet normalisation and crop 0.875.
 */
public final class StmEvaluationRelease {
  private static final String RELEASE = "https://github.com/OpenGVLab/STM-Evaluation/releases/download/cls-ckpt/";
  private static final String SOURCE = "OpenGVLab/STM-Evaluation README";

  private StmEvaluationRelease() {}

  /** The {@code in1k} weights of {@code model}, released as {@code <file>}. */
  public static PretrainedManifest.Entry in1k(String model, String file, double top1) {
    return PretrainedManifest.Entry.unverified(model + ".in1k", model, List.of(RELEASE + file), file, top1, SOURCE,
        Preprocessing.imagenet());
  }
}
