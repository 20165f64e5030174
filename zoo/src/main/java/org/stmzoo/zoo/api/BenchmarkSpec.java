package org.stmzoo.zoo.api;

import java.util.Objects;
import java.util.function.Consumer;
import org.stmzoo.datasets.pipeline.RandAugment;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.recipes.parallel.Replicas;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.benchmark.ThroughputBenchmark;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * A benchmark of a registered model on random data, as {@code ./stmzoo benchmark} takes it; {@link Benchmarks#run}
 * runs it. The mode is chosen by the factory ({@link #infer}, {@link #train}, {@link #serve}), since the defaults and
 * the settings that apply depend on it; a setting the mode does not use is refused, not ignored.
 *
 * @param mode what is timed
 * @param model a registered model name ({@code ./stmzoo list}); an unknown name is refused here
 * @param imageSize the input size, which the model must be able to take (its own size rule is checked here, the
 *     message starting {@code BenchmarkSpec.imageSize: })
 * @param numClasses the classifier's classes, at least 1
 * @param inChannels the input channels, at least 1; 3 in serve mode (exports take RGB images)
 * @param batch images per step, at least 1 (default 8; serve: 32, the throughput figure's batch)
 * @param steps timed steps (serve: timed calls at {@code batch}), at least 1 (default 5)
 * @param warmup untimed steps before the timed ones, at least 0 (default 1; train 2, as its second step still faults
 *     in memory the first did not touch); in infer and train each one's time is reported
 * @param threadPlan how TF's threads are spread over {@code threads} cores
 * @param threads the cores the plan spreads over, at least 0 (0: all)
 * @param xla infer, train: XLA JIT compilation
 * @param fusedLayerNorm infer, serve: LayerNorm in the form TF fuses into oneDNN's one-pass CPU kernel (serve: the
 *     export built with it too); training always computes LayerNorm's forward value with it where TF fuses it
 * @param profile infer, train: trace a few more steps and report where the time of the least costly one went
 * @param latencyRuns serve: timed batch-1 calls for the latency, at least 1 (default 20); 0 in the other modes
 * @param loader train: also measure the input pipeline alone on real data, after the training step; null for none.
 *     Its transform makes RGB images, so it needs {@code inChannels} 3
 */
public record BenchmarkSpec(Mode mode, String model, int imageSize, int numClasses, int inChannels, int batch,
    int steps, int warmup, ThreadPlanKind threadPlan, int threads, boolean xla, boolean fusedLayerNorm,
    boolean profile, int latencyRuns, LoaderOnly loader) {

  /** What a benchmark times. */
  public enum Mode {
    /** The inference-only graph on a batch of random images. */
    INFER,
    /** The full DeiT training step (Mixup/CutMix, forward, backward, AdamW), without the input pipeline. */
    TRAIN,
    /** An export of the model against the in-process graph: batch-1 latency and images/s per serving path. */
    SERVE;

    /** As {@code benchmark --mode} takes it: {@code infer}, {@code train}, {@code serve}. */
    public String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a session spreads its work over the cores ({@code benchmark --thread-plan}, docs/benchmarks.md). */
  public enum ThreadPlanKind {
    /** All threads on each op (TF's usual setting, right for training and many cores). */
    THROUGHPUT,
    /** One thread per op, the image cut into one chain per thread: for batch 1 on few cores. */
    LATENCY,
    /** One thread per op, the batch cut into one part per thread (a training step: one chain per part). */
    BATCHES;

    /** The plan over {@code threads} cores (0: all). */
    ThreadPlan over(int threads) {
      return switch (this) {
        case THROUGHPUT -> ThreadPlan.throughput(threads);
        case LATENCY -> ThreadPlan.latency(threads);
        case BATCHES -> ThreadPlan.batches(threads);
      };
    }

    /** As {@code benchmark --thread-plan} takes it: {@code throughput}, {@code latency}, {@code batches}. */
    public String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The loader-only measurement of a train benchmark: the input pipeline alone (training transform, parallel
   * loader) on real data, so that its rate can be set beside the training step's.
   *
   * @param data the training data, as {@link DataSpec#of} takes it ({@code fashion-mnist}, {@code cifar10:DIR},
   *     an image folder)
   * @param autoAugment the RandAugment policy, or null for none ({@code "none"}, as {@code --aa} writes it, is
   *     taken as null)
   * @param minScale RandomResizedCrop's minimum area fraction in (0, 1]
   * @param threads loader threads, at least 1
   */
  public record LoaderOnly(String data, String autoAugment, float minScale, int threads) {
    public LoaderOnly {
      Objects.requireNonNull(data, "LoaderOnly.data");
      if ("none".equalsIgnoreCase(autoAugment)) {
        autoAugment = null; // the CLI's word for no policy means the same here, rather than an unknown policy
      }
      if (autoAugment != null) {
        try {
          RandAugment.Config.parse(autoAugment); // a policy the transform would refuse, refused now
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("LoaderOnly.autoAugment: " + e.getMessage(), e);
        }
      }
      ConfigChecks.fraction("LoaderOnly.minScale", minScale);
      ConfigChecks.positive("LoaderOnly.threads", threads);
    }

    /** {@code data} with train's defaults: DeiT's RandAugment and minimum scale, one thread per core. */
    public static LoaderOnly of(String data) {
      return new LoaderOnly(data, TrainSpec.DEFAULT_AUTO_AUGMENT, TrainSpec.DEFAULT_MIN_SCALE,
          Runtime.getRuntime().availableProcessors());
    }

    /**
     * RandAugment {@code policy} (null or {@code "none"}: none) and RandomResizedCrop's minimum area
     * {@code minScale}.
     */
    public LoaderOnly withAugmentation(String policy, float minScale) {
      return new LoaderOnly(data, policy, minScale, threads);
    }

    /** Loader threads ({@code --loader-threads}). */
    public LoaderOnly withThreads(int count) {
      return new LoaderOnly(data, autoAugment, minScale, count);
    }
  }

  public BenchmarkSpec {
    Objects.requireNonNull(mode, "BenchmarkSpec.mode");
    Objects.requireNonNull(model, "BenchmarkSpec.model");
    Objects.requireNonNull(threadPlan, "BenchmarkSpec.threadPlan");
    ModelEntry entry = ModelRegistry.get(model); // an unknown name: UnknownModelException, as the CLI reports it
    RegisteredModels.checkImageSize("BenchmarkSpec.imageSize", entry, imageSize);
    ConfigChecks.positive("BenchmarkSpec.numClasses", numClasses);
    ConfigChecks.positive("BenchmarkSpec.inChannels", inChannels);
    ConfigChecks.positive("BenchmarkSpec.batch", batch);
    ConfigChecks.positive("BenchmarkSpec.steps", steps);
    ConfigChecks.nonNegative("BenchmarkSpec.warmup", warmup);
    ConfigChecks.nonNegative("BenchmarkSpec.threads", threads);
    boolean serve = mode == Mode.SERVE;
    if (serve) {
      ConfigChecks.positive("BenchmarkSpec.latencyRuns", latencyRuns);
    } else if (latencyRuns != 0) {
      throw new IllegalArgumentException("BenchmarkSpec.latencyRuns applies only to serve, got " + latencyRuns);
    }
    if (serve && inChannels != 3) {
      throw new IllegalArgumentException("BenchmarkSpec.inChannels must be 3 in serve mode (exports take RGB images),"
          + " got " + inChannels);
    }
    if (serve && (xla || profile)) {
      throw new IllegalArgumentException("BenchmarkSpec." + (xla ? "xla" : "profile") + " applies only to infer and"
          + " train");
    }
    if (fusedLayerNorm && mode == Mode.TRAIN) {
      throw new IllegalArgumentException("BenchmarkSpec.fusedLayerNorm applies only to infer and serve (training"
          + " computes LayerNorm's forward value with the fused kernel wherever TF fuses it, as train does)");
    }
    if (loader != null && mode != Mode.TRAIN) {
      throw new IllegalArgumentException("BenchmarkSpec.loader applies only to train");
    }
    if (loader != null && inChannels != 3) {
      // the loader's training transform makes RGB images: its rate would be of another input than the step's
      throw new IllegalArgumentException("BenchmarkSpec.loader measures the training transform of RGB images, so it"
          + " needs inChannels 3, got " + inChannels);
    }
  }

  /** Inference of {@code model} at its default size, batch 8, 5 steps after 1, all cores. */
  public static BenchmarkSpec infer(String model) {
    return of(Mode.INFER, model);
  }

  /** The training step of {@code model} at its default size, batch 8, 5 steps after 2, all cores. */
  public static BenchmarkSpec train(String model) {
    return of(Mode.TRAIN, model);
  }

  /** An export of {@code model} against the in-process graph: 20 batch-1 calls, 5 calls at batch 32, all cores. */
  public static BenchmarkSpec serve(String model) {
    return of(Mode.SERVE, model);
  }

  /** {@code mode}'s defaults for {@code model}. */
  public static BenchmarkSpec of(Mode mode, String model) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(model, "model");
    boolean serve = mode == Mode.SERVE;
    ThroughputBenchmark.Mode timed = mode == Mode.TRAIN ? ThroughputBenchmark.Mode.TRAIN
        : ThroughputBenchmark.Mode.INFER; // serve runs an export's inference: it warms up as inference does
    return new BenchmarkSpec(mode, model, ModelRegistry.get(model).defaultImageSize(), 1000, 3, serve ? 32 : 8, 5,
        timed.defaultWarmup(), ThreadPlanKind.THROUGHPUT, 0, false, false, false, serve ? 20 : 0, null);
  }

  /** The input size ({@code --image-size}), one the model can take. */
  public BenchmarkSpec withImageSize(int size) {
    return with(c -> c.imageSize = size);
  }

  /** The classifier's classes ({@code --num-classes}). */
  public BenchmarkSpec withNumClasses(int classes) {
    return with(c -> c.numClasses = classes);
  }

  /** The input channels ({@code --in-channels}); 3 in serve mode. */
  public BenchmarkSpec withInChannels(int channels) {
    return with(c -> c.inChannels = channels);
  }

  /** Images per step ({@code --batch}); serve: the throughput figure's batch. */
  public BenchmarkSpec withBatch(int images) {
    return with(c -> c.batch = images);
  }

  /** Timed steps ({@code --steps}); serve: timed calls at the batch. */
  public BenchmarkSpec withSteps(int count) {
    return with(c -> c.steps = count);
  }

  /** Untimed steps before the timed ones ({@code --warmup}). */
  public BenchmarkSpec withWarmup(int count) {
    return with(c -> c.warmup = count);
  }

  /** Spreads the work as {@code kind} says over {@code cores} cores (0: all). */
  public BenchmarkSpec withThreadPlan(ThreadPlanKind kind, int cores) {
    return with(c -> {
      c.threadPlan = kind;
      c.threads = cores;
    });
  }

  /** XLA JIT compilation ({@code --xla}; infer and train). */
  public BenchmarkSpec withXla(boolean value) {
    return with(c -> c.xla = value);
  }

  /** LayerNorm in the form TF fuses into oneDNN's kernel ({@code --fused-layer-norm}; infer and serve). */
  public BenchmarkSpec withFusedLayerNorm(boolean value) {
    return with(c -> c.fusedLayerNorm = value);
  }

  /** Traces a few more steps and reports where the time went ({@code --profile}; infer and train). */
  public BenchmarkSpec withProfile(boolean value) {
    return with(c -> c.profile = value);
  }

  /** Timed batch-1 calls for the latency ({@code --runs}; serve). */
  public BenchmarkSpec withLatencyRuns(int count) {
    return with(c -> c.latencyRuns = count);
  }

  /** Also measures the input pipeline alone on {@code measurement}'s data (train only); null for none. */
  public BenchmarkSpec withLoader(LoaderOnly measurement) {
    return with(c -> c.loader = measurement);
  }

  private BenchmarkSpec with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /**
   * Refuses (infer, train) a batch whose random input, {@code batch x size x size x channels} floats in one Java
   * array, does not fit in an array. Checked by {@link Benchmarks#run} before anything is built; here for a caller
   * that checks before that, as the CLI does. A check of the spec as a whole rather than of its constructor, so
   * that the order of {@code withBatch} and {@code withImageSize} does not matter.
   *
   * @throws IllegalArgumentException naming the batch, the image shape and the count
   */
  public void checkInputFits() {
    if (mode != Mode.SERVE) {
      ThroughputBenchmark.checkInputFits(batch, modelOptions());
    }
  }

  /**
   * Refuses (train) a batch that does not split evenly over the thread plan's parts: the training step runs as one
   * chain per part. Checked by {@link Benchmarks#run} before anything is built; a check of the spec as a whole, so
   * that the order of {@code withBatch} and {@code withThreadPlan} does not matter.
   *
   * @throws IllegalArgumentException naming the batch and the parts
   */
  public void checkBatchSplits() {
    if (mode != Mode.TRAIN) {
      return;
    }
    try {
      Replicas.chains(plan().batchStreams()).checkBatchSize(batch);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (the training step runs as one chain per part)", e);
    }
  }

  ModelEntry entry() {
    return ModelRegistry.get(model);
  }

  ModelOptions modelOptions() {
    return ModelOptions.imagenet().withImageSize(imageSize).withNumClasses(numClasses).withInChannels(inChannels);
  }

  ThreadPlan plan() {
    return threadPlan.over(threads);
  }

  /**
   * The components as fields, so that each {@code with} method names only what it changes and the record is
   * built, and checked, once.
   */
  private static final class Copy {
    final Mode mode;
    final String model;
    int imageSize;
    int numClasses;
    int inChannels;
    int batch;
    int steps;
    int warmup;
    ThreadPlanKind threadPlan;
    int threads;
    boolean xla;
    boolean fusedLayerNorm;
    boolean profile;
    int latencyRuns;
    LoaderOnly loader;

    Copy(BenchmarkSpec spec) {
      mode = spec.mode;
      model = spec.model;
      imageSize = spec.imageSize;
      numClasses = spec.numClasses;
      inChannels = spec.inChannels;
      batch = spec.batch;
      steps = spec.steps;
      warmup = spec.warmup;
      threadPlan = spec.threadPlan;
      threads = spec.threads;
      xla = spec.xla;
      fusedLayerNorm = spec.fusedLayerNorm;
      profile = spec.profile;
      latencyRuns = spec.latencyRuns;
      loader = spec.loader;
    }

    BenchmarkSpec build() {
      return new BenchmarkSpec(mode, model, imageSize, numClasses, inChannels, batch, steps, warmup, threadPlan,
          threads, xla, fusedLayerNorm, profile, latencyRuns, loader);
    }
  }
}
