package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.pipeline.FloatImage;
import org.stmzoo.datasets.pipeline.InvarianceViews;
import org.stmzoo.datasets.pipeline.RandomStreams;
import org.stmzoo.layers.core.ConfigChecks;

/**
 * STM-Evaluation's invariance analysis ({@code invariance_eval_all.py}, {@code engine.evaluate_invariance}): each
 * image is seen in its reference view (resize to {@code size / cropPct}, center crop) and in one transformed view
 * per level; per level, top-1/top-5 against the labels, consistency (the share of images whose top-1 class is that
 * of their reference view) and the soft-target cross-entropy of the view's logits against softmax(reference
 * logits).
 */
public final class Invariance {
  /** The four families of views and their levels, as the reference script defines them. */
  public enum Type {
    TRANSLATION("translation", "shift (pixels)"),
    PRE_ROTATION("pre-rotation", "angle (degrees)"),
    POST_ROTATION("post-rotation", "angle (degrees)"),
    SCALE("scale", "ratio r (shorter side size / r)");

    private final String flag;
    private final String axis;

    Type(String flag, String axis) {
      this.flag = flag;
      this.axis = axis;
    }

    public String flag() {
      return flag;
    }

    public String axis() {
      return axis;
    }

    /** The levels: shifts 0..64 step 4; angles 0..90 step 5; ratios 0.2..1.95 step 0.125. */
    public double[] levels() {
      return switch (this) {
        case TRANSLATION -> range(0, 64, 4, 1);
        case PRE_ROTATION, POST_ROTATION -> range(0, 90, 5, 1);
        case SCALE -> range(200, 2000, 125, 1000);
      };
    }

    private static double[] range(int from, int to, int step, int divisor) {
      double[] out = new double[(to - from) / step + 1];
      for (int i = 0; i < out.length; i++) {
        out[i] = (from + i * step) / (double) divisor;
      }
      return out;
    }

    public static Type parse(String flag) {
      for (Type t : values()) {
        if (t.flag.equals(flag)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown invariance type '" + flag
          + "' (translation, pre-rotation, post-rotation or scale)");
    }
  }

  /**
   * @param type the family of views
   * @param images how many images of a class-stratified sample to analyse
   * @param batchSize images per session run
   * @param cropPct the reference view's crop fraction; null for the weights' evaluation crop
   * @param seed draws the translation direction of each image and level
   */
  public record Spec(Type type, int images, int batchSize, long seed, Float cropPct) {
    public Spec {
      if (type == null) {
        throw new IllegalArgumentException("Invariance.Spec.type is null: translation, pre-rotation, post-rotation"
            + " or scale");
      }
      ConfigChecks.positive("Invariance.Spec.images", images);
      ConfigChecks.positive("Invariance.Spec.batchSize", batchSize);
      if (cropPct != null) {
        ConfigChecks.fraction("Invariance.Spec.cropPct", cropPct);
      }
    }

    /** Work units of {@link Progress} for {@code n} images. */
    public long units(int n) {
      return (long) Math.min(n, images) * (type.levels().length + 1);
    }
  }

  private Invariance() {}

  /** Opens {@code model} at its weights' size and runs the analysis. */
  public static InvarianceResult run(AnalysisModel.Spec model, AnalysisImages data, Spec spec, Progress progress)
      throws IOException {
    try (AnalysisModel opened = AnalysisModel.open(model)) {
      return measure(opened, data, spec, progress);
    }
  }

  public static InvarianceResult measure(AnalysisModel model, AnalysisImages data, Spec spec, Progress progress) {
    model.checkLabels(data);
    Type type = spec.type();
    double[] levels = type.levels();
    float crop = model.cropPct(spec.cropPct());
    int size = model.imageSize();
    int channels = model.channels();
    Scores reference = new Scores(model.numClasses());
    Scores[] perLevel = new Scores[levels.length];
    for (int l = 0; l < levels.length; l++) {
      perLevel[l] = new Scores(model.numClasses());
    }
    ImageBatches batches = new ImageBatches(data, Math.min(spec.images(), data.size()), spec.batchSize());
    for (ImageBatches.Batch batch = batches.next(); batch != null; batch = batches.next()) {
      progress.status(model.name() + " " + type.flag());
      List<LabeledImage> images = batch.images();
      int first = batch.first();
      float[][] refLogits = model.logits(stack(images, size, channels,
          (img, i) -> InvarianceViews.reference(img, size, crop)), images.size());
      reference.add(refLogits, batch.labels(), null);
      progress.advance(images.size());
      for (int l = 0; l < levels.length; l++) {
        double level = levels[l];
        int levelIndex = l;
        float[][] logits = model.logits(stack(images, size, channels, (img, i) -> switch (type) {
          case TRANSLATION -> InvarianceViews.translated(img, size, crop, (int) level,
              direction(spec.seed(), first + i, levelIndex));
          case PRE_ROTATION -> InvarianceViews.rotated(img, size, crop, level, true);
          case POST_ROTATION -> InvarianceViews.rotated(img, size, crop, level, false);
          case SCALE -> InvarianceViews.scaled(img, size, level);
        }), images.size());
        perLevel[l].add(logits, batch.labels(), refLogits);
        progress.advance(images.size());
      }
    }
    if (reference.count == 0) {
      throw new IllegalArgumentException("no readable image in " + data.description());
    }
    List<InvarianceResult.Level> rows = new ArrayList<>();
    for (int l = 0; l < levels.length; l++) {
      Scores s = perLevel[l];
      rows.add(new InvarianceResult.Level(levels[l], s.top1(), s.top5(), s.consistency(), s.loss()));
    }
    return new InvarianceResult(model.name(), type, reference.count, batches.unreadable(), crop, reference.top1(),
        reference.top5(), List.copyOf(rows));
  }

  /** The translation direction (0..6) of image {@code index} at level {@code level}: a seeded draw per pair. */
  static int direction(long seed, int index, int level) {
    return draws(seed, index, level).nextInt(InvarianceViews.TRANSLATION_DIRECTIONS);
  }

  /**
   * The random draws of image {@code index} (its place among the images analysed) at {@code level}, seeded by the
   * three alone: they do not depend on the batch size, nor on which other images or levels are measured.
   */
  static SplittableRandom draws(long seed, int index, long level) {
    return RandomStreams.of(seed, index, level);
  }

  @FunctionalInterface
  interface View {
    FloatImage apply(FloatImage image, int indexInBatch);
  }

  /** The views of a batch as one NHWC [0, 1] array with the model's channels. */
  static float[] stack(List<LabeledImage> images, int size, int channels, View view) {
    float[] out = new float[images.size() * size * size * channels];
    for (int i = 0; i < images.size(); i++) {
      FloatImage v = Views.channels(view.apply(FloatImage.of(images.get(i)), i), channels);
      if (v.height() != size || v.width() != size) {
        throw new IllegalStateException("a view of " + v.height() + "x" + v.width() + ", expected " + size);
      }
      System.arraycopy(v.data(), 0, out, i * v.data().length, v.data().length);
    }
    return out;
  }

  /** Running sums of one view's metrics. */
  private static final class Scores {
    private final Accuracy accuracy;
    private int count;
    private long consistent;
    private double loss;

    Scores(int classes) {
      this.accuracy = new Accuracy(classes);
    }

    void add(float[][] logits, int[] labels, float[][] reference) {
      accuracy.add(logits, labels);
      count += logits.length;
      for (int i = 0; reference != null && i < logits.length; i++) {
        consistent += Logits.argmax(logits[i]) == Logits.argmax(reference[i]) ? 1 : 0;
        loss += Logits.softTargetCrossEntropy(logits[i], reference[i]);
      }
    }

    double top1() {
      return accuracy.top1();
    }

    double top5() {
      return accuracy.top5();
    }

    double consistency() {
      return 100.0 * consistent / count;
    }

    double loss() {
      return loss / count;
    }
  }

  /** Formats a level for tables: integers without decimals. */
  static String level(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3f", v);
  }
}
