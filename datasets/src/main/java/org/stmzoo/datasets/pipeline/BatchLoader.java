package org.stmzoo.datasets.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;

/**
 * Seeded, epoch-ordered, parallel batch loader. Decoding and transforms run on {@code threads} worker threads (0 =
 * on the caller's thread), each batch split into one part per thread (so a single batch keeps every thread busy).
 * Batches in flight: at most {@code 2 * threads}, as PyTorch's DataLoader keeps, and at most as many as fit in
 * {@link #PREFETCH_BYTES} (at least one): at batch 256 of 224x224 images a batch is 154 MB, and 2 x 64 threads of
 * them would be 20 GB.
 *
 * <p>Determinism: the epoch's order is a permutation drawn from (seed, epoch) only, and the sample at position p
 * of that order is transformed with a generator seeded from (seed, epoch, p), so an epoch's batches are the same
 * whatever the thread timing, and {@link #epoch(int, int) epoch(e, k)} yields exactly the tail of a full epoch from
 * batch k on (exact resume).
 *
 * <p>Unreadable images: an image whose {@code get} throws IOException is logged once and counted in
 * {@link #skippedImages()}. With {@code dropLast} (training) it is replaced by the next readable image of the epoch
 * order (positions p+1, p+2, ..., wrapping), transformed with position p's generator: batches keep their size (a
 * fixed batch shape for the training graph) and the substitution is itself deterministic. Without it (evaluation,
 * where the last batch is partial anyway) it is left out of its batch, which is then smaller (empty if none of its
 * images can be read), so that every image scored is a distinct readable one and "skipped" means not scored.
 */
public final class BatchLoader implements AutoCloseable {
  /** Bytes of batches loaded ahead of the one in use: 1 GiB unless the system property says otherwise. */
  public static final InputLimit PREFETCH_BYTES = new InputLimit("stmzoo.loader.prefetch-bytes", 1L << 30);
  private static final System.Logger LOG = System.getLogger(BatchLoader.class.getName());

  private final ImageDataset data;
  private final SampleTransform transform;
  private final int imageSize;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final long seed;
  private final int prefetch;
  private final int threads;
  private final ExecutorService workers;
  private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();
  private final Shard shard;

  /**
   * Part {@code index} of {@code count} of every batch: the positions {@code [index * b, (index + 1) * b)} of
   * each global batch, {@code b = batchSize / count}, transformed exactly as the unsharded loader transforms them.
   * The processes of a data-parallel cluster each load their own part.
   */
  public record Shard(int index, int count) {
    public Shard {
      if (count < 1 || index < 0 || index >= count) {
        throw new IllegalArgumentException("shard " + index + " of " + count + " does not exist");
      }
    }

    public static Shard whole() {
      return new Shard(0, 1);
    }
  }

  public BatchLoader(ImageDataset data, TransformConfig t, int batchSize, boolean shuffle, boolean dropLast,
      long seed, int threads) {
    this(data, t, batchSize, shuffle, dropLast, seed, threads, Shard.whole());
  }

  /** A loader of one shard of each batch of {@code batchSize} (the global batch); see {@link Shard}. */
  public BatchLoader(ImageDataset data, TransformConfig t, int batchSize, boolean shuffle, boolean dropLast,
      long seed, int threads, Shard shard) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("loader threads must be >= 0, got " + threads);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("no images in " + data.description());
    }
    if (dropLast && data.size() < batchSize) {
      throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + data.size() + " images of "
          + data.description() + " (no full batch to train on)");
    }
    if (shard.count() > 1 && (!dropLast || batchSize % shard.count() != 0)) {
      throw new IllegalArgumentException("sharding needs full batches that split evenly: batch " + batchSize
          + " over " + shard.count());
    }
    this.shard = shard;
    this.data = data;
    this.transform = new SampleTransform(t, data.channels());
    int share = batchSize / shard.count();
    long batchValues = (long) share * t.imageSize() * t.imageSize() * transform.outputChannels();
    if (batchValues > InputFiles.MAX_ARRAY_LENGTH) {
      // one float array a batch (and a shard of a batch): refused here rather than a NegativeArraySizeException
      // in a loader thread
      throw new IllegalArgumentException("batch " + batchSize + (shard.count() > 1 ? " (" + share + " a shard)" : "")
          + " of " + t.imageSize() + "x" + t.imageSize() + "x" + transform.outputChannels() + " images is "
          + batchValues + " values, more than one Java array holds (" + InputFiles.MAX_ARRAY_LENGTH
          + "); use a smaller batch");
    }
    this.imageSize = t.imageSize();
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    long batchBytes = batchValues * Float.BYTES;
    this.prefetch = (int) Math.max(1, Math.min(2L * threads, PREFETCH_BYTES.value() / batchBytes));
    this.threads = threads;
    this.workers = threads == 0 ? null : Executors.newFixedThreadPool(threads, daemonThreads());
  }

  public int batchesPerEpoch() {
    return batchesPerEpoch(data.size(), batchSize, dropLast);
  }

  /** The batches an epoch of {@code images} images makes, as a loader of them would cut it. */
  public static int batchesPerEpoch(int images, int batchSize, boolean dropLast) {
    return dropLast ? images / batchSize : (images + batchSize - 1) / batchSize;
  }

  /** Distinct images found unreadable so far (each skipped with a warning). */
  public long skippedImages() {
    return unreadable.size();
  }

  public int channels() {
    return transform.outputChannels();
  }

  public ImageDataset dataset() {
    return data;
  }

  /** The dataset indices in epoch {@code epoch}'s order (identity without shuffling). */
  public int[] order(int epoch) {
    int n = data.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom random = RandomStreams.of(seed, epoch, -1);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** Batches {@code startBatch .. batchesPerEpoch()-1} of epoch {@code epoch}. */
  public Iterator<Batch> epoch(int epoch, int startBatch) {
    if (startBatch < 0 || startBatch > batchesPerEpoch()) {
      throw new IllegalArgumentException("start batch " + startBatch + " outside 0.." + batchesPerEpoch());
    }
    return new EpochIterator(epoch, order(epoch), startBatch);
  }

  /**
   * Batch {@code b} of an epoch being filled: its images and labels at their positions in the batch, and which
   * were read. A pure function of (seed, epoch, b) apart from the unreadable cache, however it is split.
   */
  private record BatchWork(int epoch, int[] order, int start, float[] images, int[] labels, boolean[] read) {
    int size() {
      return labels.length;
    }
  }

  private BatchWork startBatch(int epoch, int[] order, int b) {
    int share = batchSize / shard.count();
    int start = b * batchSize + shard.index() * share;
    int size = Math.min(share, order.length - start);
    return new BatchWork(epoch, order, start, new float[size * transform.valuesPerImage()], new int[size],
        new boolean[size]);
  }

  /** Reads and transforms the batch's images {@code from .. to-1}. */
  private void fill(BatchWork work, int from, int to) {
    int perImage = transform.valuesPerImage();
    for (int i = from; i < to; i++) {
      int position = work.start() + i;
      LabeledImage image = dropLast ? readOrSubstitute(work.order(), position) : readOrNull(work.order()[position]);
      if (image != null) {
        transform.transformInto(image, RandomStreams.of(seed, work.epoch(), position), work.images(),
            i * perImage);
        work.labels()[i] = image.label();
        work.read()[i] = true;
      }
    }
  }

  /** The filled batch; images that could not be read (evaluation only) are left out. */
  private Batch finish(BatchWork work) {
    int perImage = transform.valuesPerImage();
    int kept = 0;
    float[] images = work.images();
    int[] labels = work.labels();
    for (int i = 0; i < work.size(); i++) {
      if (work.read()[i]) {
        if (kept < i) {
          System.arraycopy(images, i * perImage, images, kept * perImage, perImage);
          labels[kept] = labels[i];
        }
        kept++;
      }
    }
    if (kept < work.size()) {
      images = Arrays.copyOf(images, kept * perImage);
      labels = Arrays.copyOf(labels, kept);
    }
    return new Batch(images, labels, kept, imageSize, imageSize, transform.outputChannels());
  }

  /** Image {@code index}, or null if it cannot be read (logged and counted once). */
  private LabeledImage readOrNull(int index) {
    if (unreadable.contains(index)) {
      return null;
    }
    try {
      return data.get(index);
    } catch (IOException | UncheckedIOException e) {
      if (unreadable.add(index)) {
        LOG.log(System.Logger.Level.WARNING, "Skipping unreadable image #" + index + ": " + e.getMessage());
      }
      return null;
    }
  }

  private LabeledImage readOrSubstitute(int[] order, int position) {
    for (int k = 0; k < order.length; k++) {
      LabeledImage image = readOrNull(order[(position + k) % order.length]);
      if (image != null) {
        return image;
      }
    }
    throw new IllegalStateException("no readable image left in " + data.description());
  }

  @Override
  public void close() {
    if (workers != null) {
      workers.shutdownNow();
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "stmzoo-loader-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A batch being filled by the workers, one future per part. */
  private record InFlight(BatchWork work, List<Future<?>> parts) {}

  /** Hands out batches in order, keeping up to {@code prefetch} later ones in flight on the workers. */
  private final class EpochIterator implements Iterator<Batch> {
    private final int epoch;
    private final int[] order;
    private final int end = batchesPerEpoch();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private int next;
    private int submitted;

    EpochIterator(int epoch, int[] order, int startBatch) {
      this.epoch = epoch;
      this.order = order;
      this.next = startBatch;
      this.submitted = startBatch;
      refill();
    }

    private void refill() {
      while (workers != null && inFlight.size() < prefetch && submitted < end) {
        BatchWork work = startBatch(epoch, order, submitted++);
        int parts = Math.max(1, Math.min(threads, work.size()));
        List<Future<?>> futures = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
          int from = (int) ((long) work.size() * p / parts);
          int to = (int) ((long) work.size() * (p + 1) / parts);
          futures.add(workers.submit(() -> fill(work, from, to)));
        }
        inFlight.add(new InFlight(work, futures));
      }
    }

    @Override
    public boolean hasNext() {
      return next < end;
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      BatchWork work;
      if (workers == null) {
        work = startBatch(epoch, order, next);
        fill(work, 0, work.size());
      } else {
        InFlight batch = inFlight.poll();
        batch.parts().forEach(this::await);
        work = batch.work();
      }
      next++;
      refill();
      return finish(work);
    }

    private void await(Future<?> part) {
      try {
        part.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while loading a batch", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException("loading a batch failed: " + cause, cause);
      }
    }
  }
}
