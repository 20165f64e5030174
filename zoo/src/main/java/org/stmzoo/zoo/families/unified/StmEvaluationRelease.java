package org.stmzoo.zoo.families.unified;

import java.util.List;
import java.util.stream.IntStream;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.pretrained.PretrainedManifest;

/**
 * STM-Evaluation's ImageNet-1k classification checkpoints, published as the release assets
 * {@code cls-ckpt/unified_<halonet|pvt|swin|convnext|internimage>_<size>.pth} with the top-1 of the README's
 * "All models" table, evaluated at 224 with ImageNet normalisation, bicubic resize and crop 0.875
 * ({@code classification/main.py --crop_pct} default, {@code datasets.py}). The repository is MIT-licensed and its
 * release states no other licence for the weights; no size or checksum is published, so they are pinned on first
 * use.
 */
public final class StmEvaluationRelease {
  private static final String RELEASE = "https://github.com/OpenGVLab/STM-Evaluation/releases/download/cls-ckpt/";
  private static final String SOURCE = "OpenGVLab/STM-Evaluation README (All models)";
  private static final String LICENCE = "MIT";

  private StmEvaluationRelease() {}

  /**
   * The {@code in1k} weights of {@code u-<stm>-<size>} for the four sizes, released as
   * {@code unified_<release>_<size>.pth}, with the README's top-1 of each size.
   */
  public static List<PretrainedManifest.Entry> in1k(String stm, String release, double micro, double tiny,
      double small, double base) {
    double[] top1 = {micro, tiny, small, base};
    List<String> sizes = List.of("micro", "tiny", "small", "base");
    return IntStream.range(0, sizes.size()).mapToObj(i -> {
      String model = "u-" + stm + "-" + sizes.get(i);
      String file = "unified_" + release + "_" + sizes.get(i) + ".pth";
      return PretrainedManifest.Entry.release(model + ".in1k", model, List.of(RELEASE + file), top1[i], SOURCE,
          LICENCE, Preprocessing.imagenet());
    }).toList();
  }
}
