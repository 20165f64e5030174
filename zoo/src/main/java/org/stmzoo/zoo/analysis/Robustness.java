package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.pipeline.InvarianceViews;
import org.stmzoo.layers.core.ConfigChecks;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * L-infinity attacks in pixel space: images in [0, 1] (before normalisation) are perturbed within an eps-ball and
 * clamped to [0, 1]. One attack step is one {@code session.run} of a graph that normalises nothing itself: it
 * takes the current adversarial pixels, their normalised copy for the model, the clean pixels and the labels, and
 * returns the next iterate {@code clip(clip(x + alpha * sign(grad), x0 - eps, x0 + eps), 0, 1)}, the gradient
 * being that of the summed cross-entropy with respect to the input (its sign is that of the pixel-space gradient:
 * normalising divides by a positive std). FGSM is one step of size eps from the clean image; PGD takes
 * {@code steps} steps of {@code stepSize} from the clean image or, with {@code randomStart}, from a uniform draw
 * in the ball.
 */
public final class Robustness {
  public enum Attack {
    FGSM, PGD;

    public static Attack parse(String name) {
      for (Attack a : values()) {
        if (a.name().equalsIgnoreCase(name)) {
          return a;
        }
      }
      throw new IllegalArgumentException("unknown attack '" + name + "' (fgsm or pgd)");
    }

    public String flag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param attack FGSM or PGD
   * @param eps the L-inf radii in [0, 1] pixel units (default {@link #defaultEps()}), kept in increasing order
   *     without repeats (the rows, the plot's x axis and the report's columns follow it); the spec holds a copy and
   *     {@link #eps()} returns one, so neither the caller's array nor the returned one can unsort it
   * @param steps PGD's iterations (FGSM: 1)
   * @param stepSize PGD's step in pixel units; null for eps / 4
   * @param cropPct the clean view's crop fraction; null for the weights' evaluation crop
   * @param saveExamples how many original / adversarial / difference figures to write (at the largest eps)
   */
  public record Spec(Attack attack, double[] eps, int steps, Double stepSize, boolean randomStart, long seed,
      int images, int batchSize, Float cropPct, int saveExamples) {
    private static final double[] DEFAULT_EPS = {1 / 255.0, 2 / 255.0, 4 / 255.0};

    public Spec {
      if (attack == null) {
        throw new IllegalArgumentException("Robustness.Spec.attack is null: fgsm or pgd");
      }
      Objects.requireNonNull(eps, "Robustness.Spec.eps");
      if (eps.length == 0) {
        throw new IllegalArgumentException("give at least one eps");
      }
      for (double e : eps) {
        if (!(e >= 0 && e <= 1)) {
          throw new IllegalArgumentException("eps must be in [0, 1] (pixel units), got " + e);
        }
      }
      // a sorted copy: the caller's array stays the caller's; + 0.0: -0.0 is 0
      eps = Arrays.stream(eps).map(e -> e + 0.0).sorted().distinct().toArray();
      ConfigChecks.positive("Robustness.Spec.steps", steps);
      ConfigChecks.positive("Robustness.Spec.images", images);
      ConfigChecks.positive("Robustness.Spec.batchSize", batchSize);
      ConfigChecks.nonNegative("Robustness.Spec.saveExamples", saveExamples);
      if (stepSize != null && !(stepSize > 0)) {
        throw new IllegalArgumentException("the step size must be positive, got " + stepSize);
      }
      if (cropPct != null) {
        ConfigChecks.fraction("Robustness.Spec.cropPct", cropPct);
      }
    }

    /** The radii the CLI attacks at without {@code --eps}: 1/255, 2/255 and 4/255 (a new array each call). */
    public static double[] defaultEps() {
      return DEFAULT_EPS.clone();
    }

    /** The radii in increasing order, without repeats: a copy, so changing it changes no spec. */
    @Override
    public double[] eps() {
      return eps.clone();
    }

    /** Equal settings: the radii compared by value. */
    @Override
    public boolean equals(Object other) {
      return other instanceof Spec s && attack == s.attack && Arrays.equals(eps, s.eps) && steps == s.steps
          && Objects.equals(stepSize, s.stepSize) && randomStart == s.randomStart && seed == s.seed
          && images == s.images && batchSize == s.batchSize && Objects.equals(cropPct, s.cropPct)
          && saveExamples == s.saveExamples;
    }

    @Override
    public int hashCode() {
      return Objects.hash(attack, Arrays.hashCode(eps), steps, stepSize, randomStart, seed, images, batchSize,
          cropPct, saveExamples);
    }

    @Override
    public String toString() {
      return "Spec[attack=" + attack + ", eps=" + Arrays.toString(eps) + ", steps=" + steps + ", stepSize="
          + stepSize + ", randomStart=" + randomStart + ", seed=" + seed + ", images=" + images + ", batchSize="
          + batchSize + ", cropPct=" + cropPct + ", saveExamples=" + saveExamples + "]";
    }

    int iterations() {
      return attack == Attack.FGSM ? 1 : steps;
    }

    double alpha(double e) {
      return attack == Attack.FGSM ? e : stepSize != null ? stepSize : e / 4;
    }

    /** Work units of {@link Progress} for {@code n} images. */
    public long units(int n) {
      return (long) Math.min(n, images) * (1 + eps.length * (iterations() * Progress.GRADIENT_UNITS + 1));
    }
  }

  private Robustness() {}

  /** Opens {@code model} at its weights' size and attacks it. */
  public static RobustnessResult run(AnalysisModel.Spec model, AnalysisImages data, Spec spec, Progress progress,
      Path examples) throws IOException {
    try (AnalysisModel opened = AnalysisModel.open(model)) {
      return measure(opened, data, spec, progress, examples);
    }
  }

  /**
   * Attacks an open model on the first {@code spec.images()} images of {@code data}, which must be labelled.
   * {@code examples}: the folder for {@code spec.saveExamples()} figures (null: none).
   */
  public static RobustnessResult measure(AnalysisModel model, AnalysisImages data, Spec spec, Progress progress,
      Path examples) throws IOException {
    if (!data.labelled()) {
      throw new IllegalArgumentException("the attacks need labels: " + data.description() + " has none");
    }
    model.checkLabels(data);
    StepGraph step = StepGraph.build(model);
    int size = model.imageSize();
    int channels = model.channels();
    float crop = model.cropPct(spec.cropPct());
    double[] radii = spec.eps();
    Accuracy clean = new Accuracy(model.numClasses());
    Accuracy[] adversarial = new Accuracy[radii.length];
    for (int e = 0; e < adversarial.length; e++) {
      adversarial[e] = new Accuracy(model.numClasses());
    }
    double[] linf = new double[radii.length];
    double[] l2 = new double[radii.length];
    int count = 0;
    int saved = 0;
    ImageBatches batches = new ImageBatches(data, Math.min(spec.images(), data.size()), spec.batchSize());
    for (ImageBatches.Batch batch = batches.next(); batch != null; batch = batches.next()) {
      List<LabeledImage> images = batch.images();
      int n = images.size();
      int[] labels = batch.labels();
      float[] origin = Invariance.stack(images, size, channels,
          (img, i) -> InvarianceViews.reference(img, size, crop));
      clean.add(model.logits(origin, n), labels); // refuses a label beyond the classes before any attack step
      progress.advance(n);
      for (int e = 0; e < radii.length; e++) {
        double eps = radii[e];
        progress.status(String.format(Locale.ROOT, "%s %s eps %.4f", model.name(), spec.attack().flag(), eps));
        float[] x = perturb(step, model, origin, labels, eps, spec, batch.first(),
            iterate -> progress.advance((long) n * Progress.GRADIENT_UNITS));
        adversarial[e].add(model.logits(x, n), labels);
        progress.advance(n);
        int per = size * size * channels;
        for (int b = 0; b < n; b++) {
          double max = 0;
          double squares = 0;
          for (int i = b * per; i < (b + 1) * per; i++) {
            double d = x[i] - origin[i];
            max = Math.max(max, Math.abs(d));
            squares += d * d;
          }
          linf[e] += max;
          l2[e] += Math.sqrt(squares);
        }
        if (e == radii.length - 1 && examples != null) {
          for (int b = 0; b < n && saved < spec.saveExamples(); b++, saved++) {
            Examples.write(examples.resolve(String.format(Locale.ROOT, "example-%03d.png", saved)), origin, x, b,
                size, channels, eps);
          }
        }
      }
      count += n;
    }
    if (count == 0) {
      throw new IllegalArgumentException("no readable image in " + data.description());
    }
    List<RobustnessResult.Row> rows = new ArrayList<>();
    for (int e = 0; e < radii.length; e++) {
      rows.add(new RobustnessResult.Row(radii[e], clean.top1(), clean.top5(), adversarial[e].top1(),
          adversarial[e].top5(), linf[e] / count, l2[e] / count));
    }
    return new RobustnessResult(model.name(), spec.attack(), count, spec.iterations(),
        spec.attack() == Attack.FGSM ? "eps" : spec.stepSize() == null ? "eps/4" : String.valueOf(spec.stepSize()),
        spec.attack() == Attack.PGD && spec.randomStart(), List.copyOf(rows));
  }

  /**
   * The attack on one batch at one eps: the adversarial pixels after {@code spec.iterations()} steps;
   * {@code observer} sees every iterate. {@code first}: the index of the batch's first image among the images
   * attacked; a random start draws each image's from the seed, that index and eps alone
   * ({@link Invariance#draws}), so that it depends neither on the batch size nor on the other eps measured.
   */
  static float[] perturb(StepGraph step, AnalysisModel model, float[] origin, int[] labels, double eps, Spec spec,
      int first, java.util.function.Consumer<float[]> observer) {
    float[] x = origin.clone();
    if (spec.attack() == Attack.PGD && spec.randomStart()) {
      int per = x.length / labels.length;
      for (int b = 0; b < labels.length; b++) {
        SplittableRandom random = Invariance.draws(spec.seed(), first + b, Double.doubleToLongBits(eps));
        for (int i = b * per; i < (b + 1) * per; i++) {
          x[i] = (float) Math.max(0, Math.min(1, origin[i] + (random.nextDouble() * 2 - 1) * eps));
        }
      }
    }
    for (int k = 0; k < spec.iterations(); k++) {
      x = step.run(model, x, origin, labels, (float) eps, (float) spec.alpha(eps));
      observer.accept(x);
    }
    return x;
  }

  /** The attack step's placeholders and its output, added once to the model's graph. */
  record StepGraph(Placeholder<TFloat32> pixels, Placeholder<TFloat32> origin, Placeholder<TInt32> labels,
      Placeholder<TFloat32> eps, Placeholder<TFloat32> alpha, Operand<TFloat32> next, Operand<TFloat32> gradient) {

    static StepGraph build(AnalysisModel model) {
      Ops tf = model.built().model().tf().withSubScope("attack");
      int size = model.imageSize();
      int channels = model.channels();
      Shape batch = Shape.of(-1, size, size, channels);
      Placeholder<TFloat32> pixels = tf.withName("pixels").placeholder(TFloat32.class, Placeholder.shape(batch));
      Placeholder<TFloat32> origin = tf.withName("origin").placeholder(TFloat32.class, Placeholder.shape(batch));
      Placeholder<TInt32> labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> eps = tf.withName("eps").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> alpha = tf.withName("alpha").placeholder(TFloat32.class,
          Placeholder.shape(Shape.scalar()));
      Operand<TFloat32> logits = model.built().output().logits();
      Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(model.numClasses()), tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> loss = tf.reduceSum(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(),
          tf.constant(0));
      Operand<TFloat32> gradient = model.inputGradient(loss);
      Operand<TFloat32> stepped = tf.math.add(pixels, tf.math.mul(alpha, tf.math.sign(gradient)));
      Operand<TFloat32> projected = tf.math.minimum(tf.math.maximum(stepped, tf.math.sub(origin, eps)),
          tf.math.add(origin, eps));
      Operand<TFloat32> next = tf.clipByValue(projected, tf.constant(0f), tf.constant(1f));
      return new StepGraph(pixels, origin, labels, eps, alpha, next, gradient);
    }

    /** One attack step from {@code x}: one session run. */
    float[] run(AnalysisModel model, float[] x, float[] clean, int[] labelValues, float epsValue, float alphaValue) {
      int n = labelValues.length;
      int size = model.imageSize();
      int channels = model.channels();
      try (TFloat32 in = Batches.tensor(model.normalise(x), n, size, channels);
          TFloat32 px = Batches.tensor(x, n, size, channels);
          TFloat32 o = Batches.tensor(clean, n, size, channels);
          TInt32 l = Batches.labels(labelValues);
          TFloat32 e = Batches.scalar(epsValue);
          TFloat32 a = Batches.scalar(alphaValue);
          Result out = model.session().runner().feed(model.built().images(), in).feed(pixels, px).feed(origin, o)
              .feed(labels, l).feed(eps, e).feed(alpha, a).fetch(next).run()) {
        return Batches.values((TFloat32) out.get(0));
      }
    }
  }
}
