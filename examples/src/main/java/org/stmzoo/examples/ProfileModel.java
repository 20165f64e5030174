package org.stmzoo.examples;

import java.util.Locale;
import org.stmzoo.zoo.api.BenchmarkProfile;
import org.stmzoo.zoo.api.BenchmarkResult;
import org.stmzoo.zoo.api.BenchmarkSpec;
import org.stmzoo.zoo.api.Benchmarks;

/**
 * Where a model's inference time goes: images/s on random data and the op types and layers that took the traced
 * step's time ({@code ./stmzoo benchmark --profile}). {@code ProfileModel pit-ti 224 32} measures the real size;
 * without arguments pit-ti at 32x32, batch 4 (what CI runs, to keep it quick).
 */
public final class ProfileModel {
  private ProfileModel() {}

  public static void main(String[] args) throws Exception {
    String model = args.length > 0 ? args[0] : "pit-ti";
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    BenchmarkResult result = Benchmarks.run(BenchmarkSpec.infer(model).withImageSize(size).withBatch(batch)
        .withSteps(3).withProfile(true));
    BenchmarkResult.StepFigures steps = result.steps().orElseThrow();
    System.out.printf(Locale.ROOT, "%s at %dx%d, batch %d: %.1f images/s, %.1f ms/step%n", model, size, size, batch,
        steps.imagesPerSecond(), steps.msPerStep());
    BenchmarkProfile profile = steps.profile().orElseThrow();
    for (BenchmarkProfile.Table table : profile.stepTables()) {
      System.out.println(table.title() + ":");
      table.rows().stream().limit(3).forEach(row -> System.out.printf(Locale.ROOT, "  %-52s %7.2f ms %5.1f %%%n",
          row.key(), row.millis(), row.percent()));
    }
  }
}
