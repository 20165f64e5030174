package org.stmzoo.zoo.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.datasets.pipeline.LoaderThroughput;
import org.stmzoo.layers.core.OneDnnOps;
import org.stmzoo.zoo.benchmark.ExportBenchmark;
import org.stmzoo.zoo.benchmark.ThreadPlan;
import org.stmzoo.zoo.benchmark.ThroughputBenchmark;
import org.tensorflow.proto.ConfigProto;

/**
 * Runs a {@link BenchmarkSpec}: images/s, ms/step and peak memory of a model on random data (infer, train), or an
 * export against the in-process graph (serve), as {@code ./stmzoo benchmark} does. TF sizes its thread pools, and
 * decides whether XLA compiles on the CPU, at the process's first session: a later benchmark asking for another
 * thread plan's pool sizes or for XLA where the first had none runs without them, and its result's
 * {@link BenchmarkResult#notes} say so (its graph still follows its own plan).
 */
public final class Benchmarks {
  /** Batches the loader-only measurement pulls (after two untimed ones). */
  private static final int LOADER_BATCHES = 50;

  private Benchmarks() {}

  /** {@link #run(BenchmarkSpec, Consumer)} with no one to hear the figures before the loader's. */
  public static BenchmarkResult run(BenchmarkSpec spec) throws IOException {
    return run(spec, measured -> {});
  }

  /**
   * Checks {@code spec} as a whole ({@link BenchmarkSpec#checkInputFits}, {@link BenchmarkSpec#checkBatchSplits},
   * the loader's data folder) before anything is built, then runs it. The loader-only measurement runs after the
   * training step's peak memory is read, so that its images do not count in it.
   *
   * @param measured hears the result without the loader's figures as soon as the step (serve: the serving paths)
   *     is measured, before the loader-only measurement starts: the CLI prints it then, and a caller keeps the
   *     step's figures should the loader fail
   * @return the whole result, the loader's figures with it
   */
  public static BenchmarkResult run(BenchmarkSpec spec, Consumer<BenchmarkResult> measured) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(measured, "measured");
    spec.checkInputFits();
    spec.checkBatchSplits();
    if (spec.loader() != null) {
      DataSpec.checkFolders(spec.loader().data()); // read after the benchmark: a wrong path fails now, not then
    }
    ThreadPlan plan = spec.plan();
    List<String> notes = new ArrayList<>(FirstBenchmarkSession.notesFor(plan, spec.xla()));
    if (spec.mode() == BenchmarkSpec.Mode.SERVE) {
      List<BenchmarkResult.ServeFigures> serve = ExportBenchmark.run(spec.entry(), spec.modelOptions(),
          new ExportBenchmark.Settings(spec.latencyRuns(), spec.batch(), spec.steps(), spec.warmup(), plan,
              spec.fusedLayerNorm())).stream()
          .map(f -> new BenchmarkResult.ServeFigures(f.path(), f.medianMs(), f.p90Ms(), f.imagesPerSecond()))
          .toList();
      unfusedLayerNormNote(spec).ifPresent(notes::add);
      BenchmarkResult result = new BenchmarkResult(spec, plan.describe(), Optional.empty(), serve,
          Optional.empty(), notes);
      measured.accept(result);
      return result;
    }
    ThroughputBenchmark.Mode mode = spec.mode() == BenchmarkSpec.Mode.TRAIN ? ThroughputBenchmark.Mode.TRAIN
        : ThroughputBenchmark.Mode.INFER;
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(spec.entry(), spec.modelOptions(),
        new ThroughputBenchmark.Spec(mode, spec.batch(), spec.steps(), spec.warmup(), plan, spec.xla(),
            spec.profile(), spec.fusedLayerNorm()));
    BenchmarkResult.StepFigures steps = new BenchmarkResult.StepFigures(r.imagesPerSecond(), r.msPerStep(),
        r.peakResidentMiB(), FirstBenchmarkSession.xlaCompiles(spec.xla()), r.warmupMillis(),
        r.profile().map(p -> BenchmarkProfile.of(p, r.plan().concurrentOps())));
    unfusedLayerNormNote(spec).ifPresent(notes::add);
    BenchmarkResult stepsOnly = new BenchmarkResult(spec, r.plan().describe(), Optional.of(steps), List.of(),
        Optional.empty(), notes);
    measured.accept(stepsOnly);
    if (spec.loader() == null) {
      return stepsOnly;
    }
    // after the training step's peak memory was read: the loader's images would count in it otherwise
    return stepsOnly.withLoader(loaderOnly(spec.loader(), spec));
  }

  /** The training transform and parallel loader alone on the loader's data, at the spec's size and batch. */
  private static BenchmarkResult.LoaderFigures loaderOnly(BenchmarkSpec.LoaderOnly settings, BenchmarkSpec spec)
      throws IOException {
    ImageDataset data = DataSpec.trainingSet(settings.data());
    RunModel model = RunModel.of(spec.entry(), spec.imageSize(), null, data.classNames());
    try (BatchLoader loader = new BatchLoader(data, model.trainTransform(settings.autoAugment(),
        settings.minScale()), spec.batch(), true, true, 0, settings.threads())) {
      LoaderThroughput.measure(loader, 0, 2); // JIT warm-up
      LoaderThroughput.Result r = LoaderThroughput.measure(loader, 1, LOADER_BATCHES);
      return new BenchmarkResult.LoaderFigures(data.description(), r.images(), r.seconds());
    }
  }

  /** After a run that asked for the fused LayerNorm: whether TF fused it (the run has probed it). */
  private static Optional<String> unfusedLayerNormNote(BenchmarkSpec spec) {
    if (spec.fusedLayerNorm() && !OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance())) {
      return Optional.of("TF does not fuse LayerNorm in this process (its oneDNN graph passes are off:"
          + " TF_ENABLE_ONEDNN_OPTS, or a CPU without AVX-512 VNNI/BF16 or AMX), so the in-process graph kept the"
          + " element-wise LayerNorm");
    }
    return Optional.empty();
  }
}
