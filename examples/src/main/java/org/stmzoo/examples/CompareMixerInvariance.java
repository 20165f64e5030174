package org.stmzoo.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmzoo.zoo.analysis.Invariance;
import org.stmzoo.zoo.analysis.InvarianceResult;
import org.stmzoo.zoo.api.AnalysisData;
import org.stmzoo.zoo.api.AnalysisSpec;
import org.stmzoo.zoo.api.Analyses;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Weights;

/**
 * How two spatial token mixers' predictions hold up as the image shifts: the translation-invariance analysis of
 * {@code ./stmzoo analyze invariance --type translation}, for each model on the same class-stratified sample, with
 * the per-model CSVs and figures and a comparison plot written to {@code target/invariance}.
 * {@code CompareMixerInvariance VAL_FOLDER u-convnext-micro.in1k u-swin-micro.in1k} compares published weights on
 * a folder of ImageNet validation images ({@code VAL_FOLDER/CLASS/*.JPEG}); without arguments randomly initialised
 * U-ConvNeXt and U-Swin at 64x64 on generated shapes (what CI runs: the mechanics, not a finding).
 */
public final class CompareMixerInvariance {
  private CompareMixerInvariance() {}

  public static void main(String[] args) throws Exception {
    List<ModelSpec> models = new ArrayList<>();
    Path data;
    int images;
    if (args.length > 0) {
      data = Path.of(args[0]);
      for (int i = 1; i < args.length; i++) {
        models.add(ModelSpec.of(null, Weights.pretrained(args[i])));
      }
      images = 100;
    } else {
      data = TinyImages.folder(Path.of("target", "invariance-shapes"), 3);
      models.add(ModelSpec.of("u-convnext-micro", Weights.random(0)).withImageSize(64));
      models.add(ModelSpec.of("u-swin-micro", Weights.random(0)).withImageSize(64));
      images = 4;
    }
    AnalysisSpec spec = AnalysisSpec.of(models, AnalysisData.dataset(data.toString()), Path.of("target",
        "invariance"));
    List<InvarianceResult> results = Analyses.invariance(spec,
        new Invariance.Spec(Invariance.Type.TRANSLATION, images, 8, 0, null), System.out);
    for (InvarianceResult r : results) {
      InvarianceResult.Level widest = r.levels().get(r.levels().size() - 1);
      System.out.printf(Locale.ROOT, "%s: consistency %.1f%% at a %.0f-pixel shift (reference top-1 %.1f%%)%n",
          r.model(), widest.consistency(), widest.level(), r.referenceTop1());
    }
  }
}
