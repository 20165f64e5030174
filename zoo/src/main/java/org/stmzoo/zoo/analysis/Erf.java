package org.stmzoo.zoo.analysis;

import java.io.IOException;
import org.stmzoo.datasets.pipeline.BicubicResize;
import org.stmzoo.layers.core.ConfigChecks;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The effective receptive field as RepLKNet's {@code erf/visualize_erf.py} measures it: per image (resized to
 * {@code size x size}, bicubic), the score is the sum over channels of ReLU(the stage's feature map at its central
 * position); the gradient of the score with respect to the (normalised) input, ReLU'd and summed over channels,
 * is an {@code H x W} contribution map; the maps are averaged over the images, skipping any that is not finite.
 * {@code analyze_erf.py}'s figures are in {@link ErfResult}. One {@code session.run} per batch computes the
 * feature map, the gradient and the maps in the graph.
 */
public final class Erf {
  /**
   * @param images how many images to average over (the tool's default: 50)
   * @param imageSize the size the model is built at and the images resized to (the tool's: 1024)
   * @param stage the stage whose output is scored; null for the last
   * @param batchSize images per session run (the maps do not depend on it: inference-mode images are independent)
   */
  public record Spec(int images, int imageSize, Integer stage, int batchSize) {
    public static final int DEFAULT_IMAGES = 50;
    public static final int DEFAULT_SIZE = 1024;

    public Spec {
      ConfigChecks.positive("Erf.Spec.images", images);
      ConfigChecks.positive("Erf.Spec.imageSize", imageSize);
      ConfigChecks.positive("Erf.Spec.batchSize", batchSize);
      if (stage != null) {
        ConfigChecks.nonNegative("Erf.Spec.stage", stage);
      }
    }

    public static Spec defaults() {
      return new Spec(DEFAULT_IMAGES, DEFAULT_SIZE, null, 1);
    }

    /** Work units of {@link Progress} for {@code n} images. */
    public long units(int n) {
      return (long) Math.min(n, images) * Progress.GRADIENT_UNITS;
    }
  }

  private Erf() {}

  /** Opens {@code model} at the spec's image size and measures its ERF. */
  public static ErfResult run(AnalysisModel.Spec model, AnalysisImages data, Spec spec, Progress progress)
      throws IOException {
    try (AnalysisModel opened = AnalysisModel.open(model.withImageSize(spec.imageSize()))) {
      return measure(opened, data, spec, progress);
    }
  }

  /** Measures the ERF of an open model (built at {@code spec.imageSize()}). */
  public static ErfResult measure(AnalysisModel model, AnalysisImages data, Spec spec, Progress progress) {
    int size = model.imageSize();
    if (size != spec.imageSize()) {
      throw new IllegalArgumentException("the model is built at " + size + ", the ERF spec asks for "
          + spec.imageSize());
    }
    int stages = model.stages();
    if (stages == 0) {
      throw new IllegalArgumentException(model.name() + " records no spatial stage output (stage0...), which the"
          + " ERF's central position needs");
    }
    int stage = spec.stage() == null ? stages - 1 : spec.stage();
    if (stage >= stages) {
      throw new IllegalArgumentException(model.name() + " has stages 0.." + (stages - 1) + ", not " + stage);
    }
    Operand<TFloat32> maps = contributionMaps(model, model.stageFeature(stage).orElseThrow());
    int channels = model.channels();
    double[] sum = new double[size * size];
    int used = 0;
    int skipped = 0;
    // all of data, in order: an unreadable image or a map that is not finite is replaced by the next image, as the
    // tool does, so that spec.images() maps are averaged whenever the data has that many good images
    ImageBatches batches = new ImageBatches(data, data.size(), spec.batchSize());
    while (used < spec.images()) {
      ImageBatches.Batch batch = batches.next(spec.images() - used);
      if (batch == null) {
        break;
      }
      int n = batch.images().size();
      float[] pixels = Invariance.stack(batch.images(), size, channels,
          (image, i) -> BicubicResize.resize(image, size, size)); // transforms.Resize((size, size), BICUBIC)
      float[] out;
      try (TFloat32 in = Batches.tensor(model.normalise(pixels), n, size, channels);
          Tensor t = model.session().runner().feed(model.built().images(), in).fetch(maps).run().get(0)) {
        out = Batches.values((TFloat32) t);
      }
      for (int b = 0; b < n; b++) {
        int offset = b * size * size;
        boolean finite = true;
        for (int i = 0; i < size * size && finite; i++) {
          finite = Float.isFinite(out[offset + i]);
        }
        if (!finite) {
          skipped++; // the tool prints "got NAN, next image" and takes the next one
          continue;
        }
        for (int i = 0; i < size * size; i++) {
          sum[i] += out[offset + i];
        }
        used++;
      }
      progress.advance((long) n * Progress.GRADIENT_UNITS);
    }
    int unreadable = batches.unreadable();
    if (used == 0) {
      throw new IllegalArgumentException("no image gave a finite ERF map (" + skipped + " not finite, " + unreadable
          + " unreadable)");
    }
    float[] mean = new float[size * size];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (float) (sum[i] / used);
    }
    return ErfResult.of(model.name(), stage, mean, size, used, skipped + unreadable);
  }

  /**
   * Per image, {@code sum_c ReLU(d score / d input)} with {@code score = sum_c ReLU(feature[h // 2, w // 2, c])}:
   * {@code [batch, H, W]}. Summing the scores over the batch leaves each image's gradient its own, as no op mixes
   * images in inference mode.
   */
  static Operand<TFloat32> contributionMaps(AnalysisModel model, Operand<TFloat32> feature) {
    Ops tf = model.built().model().tf().withSubScope("erf");
    int h = (int) feature.shape().get(1);
    int w = (int) feature.shape().get(2);
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException("the stage output " + feature.shape() + " has no static spatial size");
    }
    // int32 begin/size: the gradient of Slice builds its padding from them alongside int32 shapes
    Operand<TFloat32> central = tf.slice(feature, tf.constant(new int[] {0, h / 2, w / 2, 0}),
        tf.constant(new int[] {-1, 1, 1, -1}));
    Operand<TFloat32> score = tf.reduceSum(tf.nn.relu(central), tf.constant(new int[] {0, 1, 2, 3}));
    return tf.reduceSum(tf.nn.relu(model.inputGradient(score)), tf.constant(new int[] {3}));
  }
}
