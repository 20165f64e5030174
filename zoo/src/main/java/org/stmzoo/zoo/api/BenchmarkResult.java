package org.stmzoo.zoo.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.zoo.benchmark.PeakMemory;

/**
 * What {@link Benchmarks#run} measured. Infer and train give {@link #steps}, serve gives {@link #serve}; a train
 * benchmark with a {@link BenchmarkSpec.LoaderOnly} gives {@link #loader} too (empty in the result a
 * {@code run} listener hears before the loader runs). {@link #format} writes it as {@code ./stmzoo benchmark}
 * prints it.
 *
 * @param spec what was run
 * @param threadPlanDescription the thread plan the spec asked for, e.g. {@code latency (intra-op 1, inter-op 2)};
 *     where the process's first benchmark session sized TF's pools otherwise, {@link #notes} say so
 * @param steps infer, train: the timed steps' figures; empty for serve
 * @param serve serve: one entry per way of running the model (in-process, serving_default, image_bytes png and
 *     jpeg); empty for infer and train
 * @param loader the loader-only measurement, when the spec asked for one and it has run
 * @param notes remarks on how the figures were taken: pool sizes or XLA the process's first benchmark session
 *     fixed otherwise than the spec asks, the fused LayerNorm asked for where TF does not fuse it
 */
public record BenchmarkResult(BenchmarkSpec spec, String threadPlanDescription, Optional<StepFigures> steps,
    List<ServeFigures> serve, Optional<LoaderFigures> loader, List<String> notes) {
  public BenchmarkResult {
    Objects.requireNonNull(spec, "BenchmarkResult.spec");
    Objects.requireNonNull(threadPlanDescription, "BenchmarkResult.threadPlanDescription");
    Objects.requireNonNull(steps, "BenchmarkResult.steps");
    serve = List.copyOf(Objects.requireNonNull(serve, "BenchmarkResult.serve"));
    Objects.requireNonNull(loader, "BenchmarkResult.loader");
    notes = List.copyOf(Objects.requireNonNull(notes, "BenchmarkResult.notes"));
    boolean serveMode = spec.mode() == BenchmarkSpec.Mode.SERVE;
    if (steps.isPresent() && serveMode) {
      throw new IllegalArgumentException("BenchmarkResult.steps are the figures of infer and train, not serve");
    }
    if (steps.isEmpty() && !serveMode) {
      throw new IllegalArgumentException("BenchmarkResult.steps are required for " + spec.mode().cliName());
    }
    if (loader.isPresent() && spec.loader() == null) {
      throw new IllegalArgumentException("BenchmarkResult.loader without a loader measurement in the spec");
    }
  }

  /** This result with the loader-only measurement's figures. */
  BenchmarkResult withLoader(LoaderFigures figures) {
    return new BenchmarkResult(spec, threadPlanDescription, steps, serve, Optional.of(figures), notes);
  }

  /**
   * The figures of infer's and train's timed steps.
   *
   * @param imagesPerSecond images of the timed steps over their wall time
   * @param msPerStep the timed steps' mean wall time
   * @param peakResidentMiB the process's peak resident memory right after the timed steps (before any profiled
   *     step), empty where it cannot be read (not Linux); it includes whatever the process did before
   * @param xla whether XLA compiled the step: the spec asked for it and the process's first benchmark session had
   *     it on
   * @param warmupMillis each untimed step's wall time, in order: the first steps carry the one-time costs the
   *     timed ones leave out
   * @param profile where a traced step's time went, with {@link BenchmarkSpec#profile}
   */
  public record StepFigures(double imagesPerSecond, double msPerStep, OptionalLong peakResidentMiB, boolean xla,
      List<Double> warmupMillis, Optional<BenchmarkProfile> profile) {
    public StepFigures {
      Objects.requireNonNull(peakResidentMiB, "StepFigures.peakResidentMiB");
      warmupMillis = List.copyOf(Objects.requireNonNull(warmupMillis, "StepFigures.warmupMillis"));
      Objects.requireNonNull(profile, "StepFigures.profile");
    }
  }

  /**
   * One way of serving.
   *
   * @param path {@code in-process}, {@code serving_default}, {@code image_bytes png} or {@code image_bytes jpeg}
   * @param medianMs the median of the batch-1 calls
   * @param p90Ms their 90th percentile (nearest rank)
   * @param imagesPerSecond at the spec's batch
   */
  public record ServeFigures(String path, double medianMs, double p90Ms, double imagesPerSecond) {
    public ServeFigures {
      Objects.requireNonNull(path, "ServeFigures.path");
    }
  }

  /**
   * The loader alone: whole batches of the training transform, pulled as fast as the loader gives them.
   *
   * @param dataset the data as its loader describes it, e.g. {@code Fashion-MNIST train (60000 images)}
   * @param images the images the timed batches held
   * @param seconds the wall time they took
   */
  public record LoaderFigures(String dataset, long images, double seconds) {
    public LoaderFigures {
      Objects.requireNonNull(dataset, "LoaderFigures.dataset");
    }

    /** {@code images / seconds}. */
    public double imagesPerSecond() {
      return images / seconds;
    }
  }

  /**
   * The result line of infer and train: {@code pit-ti infer batch=8 image=224 steps=5: 80.12 images/s, 99.9
   * ms/step, peak memory 812 MiB} ({@code n/a} where the peak cannot be read; {@code steps=5 xla} where XLA
   * compiled the step).
   *
   * @throws IllegalStateException for serve, which has no step figures
   */
  public String summary() {
    StepFigures s = steps.orElseThrow(() -> new IllegalStateException("a serve benchmark has no step figures"));
    return String.format(Locale.ROOT, "%s %s batch=%d image=%d steps=%d%s: %.2f images/s, %.1f ms/step,"
        + " peak memory %s", spec.model(), spec.mode().cliName(), spec.batch(), spec.imageSize(), spec.steps(),
        s.xla() ? " xla" : "", s.imagesPerSecond(), s.msPerStep(), PeakMemory.describe(s.peakResidentMiB()));
  }

  /**
   * The figures as {@code ./stmzoo benchmark} prints them on stdout ({@link #notes} aside, which it prints on
   * stderr before the profile): {@link #formatFigures}, the profile's tables ({@code profileTop} rows each) and
   * {@link #formatLoader}.
   *
   * @throws IllegalArgumentException if {@code profileTop} is below 1
   */
  public String format(int profileTop) {
    ConfigChecks.positive("profileTop", profileTop);
    return formatFigures() + steps.flatMap(StepFigures::profile).map(p -> p.format(profileTop)).orElse("")
        + formatLoader().orElse("");
  }

  /**
   * The lines {@code ./stmzoo benchmark} prints as soon as the step is measured: the result line, thread plan and
   * warm-up times (infer, train), or the table of the serving paths (serve).
   */
  public String formatFigures() {
    StringBuilder out = new StringBuilder();
    if (steps.isEmpty()) {
      out.append(String.format(Locale.ROOT, "%s image=%d thread plan %s: batch 1 over %d runs, batch %d over %d"
          + " steps%n", spec.model(), spec.imageSize(), threadPlanDescription, spec.latencyRuns(), spec.batch(),
          spec.steps()));
      out.append(String.format(Locale.ROOT, "%-18s %12s %12s %14s%n", "path", "median ms", "p90 ms", "images/s"));
      for (ServeFigures f : serve) {
        out.append(String.format(Locale.ROOT, "%-18s %12.1f %12.1f %14.2f%n", f.path(), f.medianMs(), f.p90Ms(),
            f.imagesPerSecond()));
      }
      return out.toString();
    }
    StepFigures s = steps.get();
    out.append(summary()).append(System.lineSeparator());
    out.append(String.format(Locale.ROOT, "thread plan: %s%n", threadPlanDescription));
    if (!s.warmupMillis().isEmpty()) {
      out.append(String.format(Locale.ROOT, "untimed warm-up steps: %s ms%n", s.warmupMillis().stream()
          .map(ms -> String.format(Locale.ROOT, "%.1f", ms)).collect(Collectors.joining(", "))));
    }
    return out.toString();
  }

  /** The loader-only line, {@code loader only: DATA, 224x224, aa=POLICY, ...}, where the loader has been measured. */
  public Optional<String> formatLoader() {
    return loader.map(l -> {
      BenchmarkSpec.LoaderOnly settings = spec.loader();
      return String.format(Locale.ROOT, "loader only: %s, %dx%d, aa=%s, scale %.2f, %d threads: %.1f images/s"
          + " (%d in %.2f s)%n", l.dataset(), spec.imageSize(), spec.imageSize(),
          settings.autoAugment() == null ? "none" : settings.autoAugment(), settings.minScale(), settings.threads(),
          l.imagesPerSecond(), l.images(), l.seconds());
    });
  }
}
