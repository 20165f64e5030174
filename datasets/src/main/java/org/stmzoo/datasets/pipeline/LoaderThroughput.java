package org.stmzoo.datasets.pipeline;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import org.stmzoo.datasets.FashionMnist;

/**
 * Loader-only speed: how many images/s a {@link BatchLoader} produces with nothing consuming them, the figure the
 * training benchmark prints beside training images/s (if the loader is not clearly faster, training is
 * input-bound). {@link #main} measures Fashion-MNIST with DeiT's training transform.
 */
public final class LoaderThroughput {
  /** {@code images} produced in {@code seconds} of wall time. */
  public record Result(long images, double seconds) {
    public double imagesPerSecond() {
      return images / seconds;
    }
  }

  private LoaderThroughput() {}

  /** Pulls up to {@code maxBatches} batches of {@code epoch} from the start; timing includes the prefetch ramp-up. */
  public static Result measure(BatchLoader loader, int epoch, int maxBatches) {
    long start = System.nanoTime();
    long images = 0;
    Iterator<Batch> batches = loader.epoch(epoch, 0);
    for (int i = 0; i < maxBatches && batches.hasNext(); i++) {
      images += batches.next().size();
    }
    return new Result(images, (System.nanoTime() - start) / 1e9);
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  /** Args: image size (32), threads (2), batches (20), batch size (64), auto-augment (DeiT's policy). */
  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    String autoAugment = args.length > 4 ? args[4] : RandAugment.DEIT_POLICY;
    autoAugment = autoAugment.equals("none") ? null : autoAugment;
    Path folder = FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false);
    FashionMnist train = FashionMnist.load(folder, FashionMnist.Split.TRAIN);
    TransformConfig transform = TransformConfig.train(size, new float[] {0.485f, 0.456f, 0.406f},
        new float[] {0.229f, 0.224f, 0.225f}, autoAugment, true);
    try (BatchLoader loader = new BatchLoader(train, transform, batchSize, true, true, 0, threads)) {
      measure(loader, 0, 2); // JIT warm-up
      long cpuBefore = processCpuNanos();
      Result result = measure(loader, 1, batches);
      double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
      // CPU time is printed as well: on a shared machine wall-clock images/s drops with the load, images per
      // CPU-second does not.
      System.out.printf(Locale.ROOT, "Fashion-MNIST %dx%d, %d threads, batch %d, aa=%s: %.0f images/s "
          + "(%d in %.2f s wall, %.2f s CPU = %.0f images per CPU-second)%n", size, size, threads, batchSize,
          autoAugment, result.imagesPerSecond(), result.images(), result.seconds(), cpuSeconds,
          result.images() / cpuSeconds);
    }
  }
}
