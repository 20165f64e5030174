package org.stmzoo.zoo.api;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * export against the in-process graph (serve), as {@code ./stmzoo benchmark} does. TF sizes its thread pools at the
 * process's first session, so the first benchmark (or model) of a process sets them for all.
 */
public final class Benchmarks {
  /** Batches the loader-only measurement pulls (after two untimed ones). */
  private static final int LOADER_BATCHES = 50;

  private Benchmarks() {}

  /**
   * Checks {@code spec} as a whole ({@link BenchmarkSpec#checkInputFits}, {@link BenchmarkSpec#checkBatchSplits},
   * the loader's data folder) before anything is built, then runs it. The loader-only measurement runs after the
   * training step's peak memory is read, so that its images do not count in it.
   */
  public static BenchmarkResult run(BenchmarkSpec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    spec.checkInputFits();
    spec.checkBatchSplits();
    if (spec.loader() != null) {
      DataSpec.checkFolders(spec.loader().data()); // read after the benchmark: a wrong path fails now, not then
    }
    ThreadPlan plan = spec.plan();
    if (spec.mode() == BenchmarkSpec.Mode.SERVE) {
      List<BenchmarkResult.ServeFigures> serve = ExportBenchmark.run(spec.entry(), spec.modelOptions(),
          new ExportBenchmark.Settings(spec.latencyRuns(), spec.batch(), spec.steps(), spec.warmup(), plan,
              spec.fusedLayerNorm())).stream()
          .map(f -> new BenchmarkResult.ServeFigures(f.path(), f.medianMs(), f.p90Ms(), f.imagesPerSecond()))
          .toList();
      return new BenchmarkResult(spec, plan.describe(), Optional.empty(), serve, Optional.empty(),
          unfusedLayerNormNote(spec));
    }
    ThroughputBenchmark.Mode mode = spec.mode() == BenchmarkSpec.Mode.TRAIN ? ThroughputBenchmark.Mode.TRAIN
        : ThroughputBenchmark.Mode.INFER;
    ThroughputBenchmark.Result r = ThroughputBenchmark.run(spec.entry(), spec.modelOptions(),
        new ThroughputBenchmark.Spec(mode, spec.batch(), spec.steps(), spec.warmup(), plan, spec.xla(),
            spec.profile(), spec.fusedLayerNorm()));
    BenchmarkResult.StepFigures steps = new BenchmarkResult.StepFigures(r.imagesPerSecond(), r.msPerStep(),
        r.peakResidentMiB(), r.warmupMillis(),
        r.profile().map(p -> BenchmarkProfile.of(p, r.plan().concurrentOps())));
    Optional<String> note = unfusedLayerNormNote(spec);
    // after the training step's peak memory was read: the loader's images would count in it otherwise
    Optional<BenchmarkResult.LoaderFigures> loader = spec.loader() == null ? Optional.empty()
        : Optional.of(loaderOnly(spec.loader(), spec));
    return new BenchmarkResult(spec, r.plan().describe(), Optional.of(steps), List.of(), loader, note);
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
