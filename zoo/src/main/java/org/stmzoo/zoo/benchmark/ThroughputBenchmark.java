package org.stmzoo.zoo.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.parallel.Replicas;
import org.stmzoo.recipes.train.TrainingGraph;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;

/**
 * Images/s of a model on random data. {@code train} runs the real DeiT training step of the recipes module
 * (Mixup/CutMix, random erasing, label smoothing, forward, backward, AdamW, state updates: one session run),
 * so the figure is what {@code ./stmzoo train} gets without the input pipeline. With {@code profile}, a few more
 * steps run traced after the timed ones and the {@link StepProfile} of the one whose nodes took least time comes
 * with the result ({@link #TRACED_STEPS}).
 */
public final class ThroughputBenchmark {
  public enum Mode {
    INFER(1),
    // a training step's first run optimises the graph and its second still faults in memory the first did not
    // touch (about 370 MiB for u-swin-micro at batch 32, 1.7 s against 0.9): timing starts at the steady step
    TRAIN(2);

    private final int defaultWarmup;

    Mode(int defaultWarmup) {
      this.defaultWarmup = defaultWarmup;
    }

    /** Untimed steps before the timed ones unless the caller says otherwise. */
    public int defaultWarmup() {
      return defaultWarmup;
    }
  }

  /**
   * What to run: {@code warmup} untimed steps, then {@code steps} timed ones, on threads spread as {@code plan}
   * says (TF sizes its intra-op pool once per process, so the first session's plan holds for the process).
   */
  public record Spec(Mode mode, int batch, int steps, int warmup, ThreadPlan plan, boolean xla, boolean profile,
      boolean fusedLayerNorm) {
    public Spec {
      if (batch < 1 || steps < 1 || warmup < 0) {
        throw new IllegalArgumentException("need batch >= 1, steps >= 1 and warmup >= 0, got batch " + batch
            + ", steps " + steps + ", warmup " + warmup);
      }
      if (fusedLayerNorm && mode != Mode.INFER) {
        throw new IllegalArgumentException("the fused LayerNorm is asked for in inference only: training uses it for"
            + " the forward value wherever TF fuses it");
      }
    }

    public Spec(Mode mode, int batch, int steps, int warmup, ThreadPlan plan, boolean xla, boolean profile) {
      this(mode, batch, steps, warmup, plan, xla, profile, false);
    }
  }

  /**
   * @param peakResidentMiB the process's peak resident memory right after the timed steps (before any profiled
   *     step), empty where it cannot be read ({@link PeakMemory}); it includes whatever the process did before
   * @param plan the thread plan the figures were measured under
   * @param warmupMillis each untimed step's wall time, in order: the first steps carry the one-time costs the
   *     timed ones leave out (kernel and memory setup; in training, XLA's compilation of the gradient's clusters,
   *     which TF compiles on a cluster's second run)
   */
  public record Result(String model, Mode mode, int batch, int imageSize, int steps, double imagesPerSecond,
      double msPerStep, OptionalLong peakResidentMiB, boolean xla, ThreadPlan plan, List<Double> warmupMillis,
      Optional<StepProfile> profile) {
    public Result {
      warmupMillis = List.copyOf(warmupMillis);
    }
  }

  /**
   * Traced steps a profile runs, keeping the one whose nodes took least time in all. The first traced steps of an
   * inference under the latency plan run ops on threads whose oneDNN primitive caches (one per thread) do not
   * hold them yet, and pay for creating them: deit-tiny's first traced step summed 53 ms of node time, its next
   * five 28-32.
   */
  static final int TRACED_STEPS = 5;

  private ThroughputBenchmark() {}

  /**
   * Refuses a batch whose random input ({@code batch x size x size x channels} floats, one Java array) does not
   * fit in an array, before anything is built.
   *
   * @throws IllegalArgumentException naming the batch, the image shape and the count
   */
  public static void checkInputFits(int batch, ModelOptions options) {
    int s = options.imageSize();
    long values = (long) batch * s * s * options.inChannels();
    if (values > InputFiles.MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("a batch of " + batch + " " + s + "x" + s + "x" + options.inChannels()
          + " images is " + values + " values, more than one Java array holds (" + InputFiles.MAX_ARRAY_LENGTH
          + "): lower the batch or the image size");
    }
  }

  public static Result run(ModelEntry entry, ModelOptions options, Spec spec) {
    ThreadPlan plan = spec.plan();
    int batch = spec.batch();
    checkInputFits(batch, options);
    Replicas chains = Replicas.chains(spec.mode() == Mode.TRAIN ? plan.batchStreams() : 1);
    // the session as train --chains builds it: the chains' threading comes from Replicas, as in Training
    ConfigProto sessionConfig = chains.sessionConfig(SessionConfigs.of(plan, spec.xla()));
    // LayerNorm in the form TF fuses into oneDNN's kernel where it does: in inference when asked, in training
    // always (its forward value; the gradient stays the element-wise rule's), as train builds it
    ModelGraph.Inference form = (spec.mode() == Mode.INFER ? plan.graph() : ModelGraph.Inference.PLAIN)
        .withFusedLayerNormWhereFused(spec.mode() == Mode.TRAIN || spec.fusedLayerNorm(), sessionConfig)
        // with the CPU settings, attention's products in whichever kernel is faster here (inference graphs only)
        .withTfAttentionKernelWhereFaster(spec.mode() == Mode.INFER && spec.fusedLayerNorm(), sessionConfig);
    // with the CPU settings under the latency plan, the weights as constants (the same values: read from the
    // model as initialised, then the model built again around them)
    boolean freeze = spec.mode() == Mode.INFER && spec.fusedLayerNorm() && plan.freezesWeights();
    try (FrozenWeights weights = freeze ? initialWeights(entry, options, form, sessionConfig) : null;
        Graph graph = new Graph()) {
      ModelGraph model = weights == null
          ? ModelGraph.inferenceOnly(graph, 0L, form)
          : ModelGraph.inferenceOnly(graph, 0L, form, weights);
      BuiltModel built = BuiltModel.build(entry, options, -1, model);
      TrainingGraph training = spec.mode() == Mode.TRAIN
          ? new TrainingGraph(built.model(), built.classifier(), built.images(), built.output(),
              options.numClasses(), RecipeConfig.deit(1, batch), Optional.empty(), chains)
          : null;
      try (Session session = new Session(graph, sessionConfig)) {
        if (training != null) {
          training.initialize(session);
        } else {
          session.run(built.model().initializer());
        }
        Random random = new Random(0);
        int s = options.imageSize();
        float[] pixels = new float[Math.toIntExact((long) batch * s * s * options.inChannels())]; // checkInputFits
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
          labels[i] = random.nextInt(options.numClasses());
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(batch, s, s, options.inChannels()),
            DataBuffers.of(pixels, true, false))) {
          List<Double> warmupMillis = new ArrayList<>();
          long start = System.nanoTime();
          for (int step = 0; step < spec.warmup() + spec.steps(); step++) {
            if (step > 0 && step <= spec.warmup()) {
              long now = System.nanoTime();
              warmupMillis.add((now - start) / 1e6);
              start = now;
            }
            if (training != null) {
              training.runStep(session, pixels, labels, batch, step, 1e-4);
            } else {
              session.runner().feed(built.images(), images).fetch(built.output().logits()).run().close();
            }
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          // VmHWM only grows: read before the traced steps, whose tracing buffers are no part of a step's cost
          OptionalLong peakMiB = PeakMemory.peakResidentMiB();
          Optional<StepProfile> profile = Optional.empty();
          if (spec.profile()) {
            LayerAttribution layers = LayerAttribution.of(graph.toGraphDef());
            for (int traced = 0; traced < TRACED_STEPS; traced++) {
              long tracedStart = System.nanoTime();
              RunMetadata metadata;
              if (training != null) {
                metadata = training.runStepWithMetadata(session, pixels, labels, batch,
                    spec.warmup() + spec.steps() + traced, 1e-4, StepProfile.TRACE_OPTIONS);
              } else {
                try (org.tensorflow.Result r = session.runner().feed(built.images(), images)
                    .fetch(built.output().logits()).setOptions(StepProfile.TRACE_OPTIONS).runAndFetchMetadata()) {
                  metadata = r.getMetadata().orElseThrow();
                }
              }
              StepProfile step = StepProfile.of(metadata, layers, (System.nanoTime() - tracedStart) / 1e6);
              if (profile.isEmpty() || step.totalMicros() < profile.get().totalMicros()) {
                profile = Optional.of(step);
              }
            }
          }
          return new Result(entry.name(), spec.mode(), batch, s, spec.steps(), batch * spec.steps() / seconds,
              1000 * seconds / spec.steps(), peakMiB, spec.xla(), plan, warmupMillis, profile);
        }
      }
    }
  }

  /** The model's initialised weights, read from a graph built with variables (the same seed and form). */
  private static FrozenWeights initialWeights(ModelEntry entry, ModelOptions options, ModelGraph.Inference form,
      ConfigProto sessionConfig) {
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, -1, ModelGraph.inferenceOnly(graph, 0L, form));
      try (Session session = new Session(graph, sessionConfig)) {
        session.run(built.model().initializer());
        return FrozenWeights.read(session, built.model());
      }
    }
  }
}
