package org.stmzoo.zoo.benchmark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.export.EncodedImages;
import org.stmzoo.export.ProbeImages;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.io.DurableFiles;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ExportRequests;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Serving cost of an export against the in-process graph: the model (random weights) is exported to a temporary
 * directory, loaded back as {@link ExportedModel} (as a Java serving client would), and each way of running it is
 * timed at batch 1 (latency: median and p90 of single calls) and at a larger batch (images/s):
 * <ul>
 *   <li>{@code in-process}: the inference-only graph of {@code benchmark --mode infer}, fed a batch already at the
 *       model's size and fetching the logits;</li>
 *   <li>{@code serving_default}: the export's float signature on {@code [batch, S, S, 3]} RGB 0-255 (normalised in
 *       the graph), through {@code ExportedModel.classify}, outputs copied to Java arrays;</li>
 *   <li>{@code image_bytes png}, {@code image_bytes jpeg}: {@code predict_image_bytes} on encoded
 *       {@value #ENCODED_WIDTH}x{@value #ENCODED_HEIGHT} images (an ImageNet-like photo size), so decoding, the
 *       antialiased resize and the center crop run in the graph as well.</li>
 * </ul>
 * Every session gets the same {@link SessionConfigs} (the thread plan), and both graphs are built with the plan's
 * row streams.
 */
public final class ExportBenchmark {
  static final int ENCODED_WIDTH = 500;
  static final int ENCODED_HEIGHT = 375;

  /**
   * @param latencyRuns timed single calls at batch 1
   * @param batch the batch of the throughput figure
   * @param batchSteps timed calls at that batch
   * @param warmup untimed calls before each series
   * @param plan how TF's threads are spread (and how many row streams the graphs are built with)
   * @param fusedLayerNorm both graphs with LayerNorm in the form TF fuses into oneDNN's kernel (the export's
   *     {@code --fused-layer-norm}; in-process only where TF fuses it here, as {@code InferenceSpeed} builds it)
   */
  public record Settings(int latencyRuns, int batch, int batchSteps, int warmup, ThreadPlan plan,
      boolean fusedLayerNorm) {
    public Settings(int latencyRuns, int batch, int batchSteps, int warmup, ThreadPlan plan) {
      this(latencyRuns, batch, batchSteps, warmup, plan, false);
    }
  }

  /** One way of serving: batch-1 latency in ms, throughput at {@link Settings#batch()}. */
  public record Figures(String path, double medianMs, double p90Ms, double imagesPerSecond) {}

  /** One inference call on inputs prepared beforehand. */
  @FunctionalInterface
  private interface Call {
    void run();
  }

  private ExportBenchmark() {}

  public static List<Figures> run(ModelEntry entry, ModelOptions options, Settings settings) throws IOException {
    if (options.inChannels() != 3) {
      throw new IllegalArgumentException("exports take RGB images; the serve benchmark needs 3 input channels, not "
          + options.inChannels());
    }
    ConfigProto config = SessionConfigs.of(settings.plan(), false);
    List<Figures> figures = new ArrayList<>();
    figures.add(inProcess(entry, options, settings, config));
    Path dir = Files.createTempDirectory("stmzoo-export-bench");
    try {
      ExportRequest request = ExportRequests.of(entry, options.imageSize(),
          ExportRequest.numberedClasses(options.numClasses()), WeightSource.randomInit(), 0L)
          .withRowStreams(settings.plan().rowStreams()).withBatchStreams(settings.plan().batchStreams())
          .withFusedLayerNorm(settings.fusedLayerNorm());
      Path version = SavedModelExporter.export(request, dir, 1).directory();
      try (ExportedModel model = ExportedModel.load(version, config)) {
        figures.add(servingDefault(model, options.imageSize(), settings));
        figures.add(imageBytes(model, "png", settings));
        figures.add(imageBytes(model, "jpeg", settings));
      }
    } finally {
      DurableFiles.deleteTree(dir);
    }
    return figures;
  }

  private static Figures inProcess(ModelEntry entry, ModelOptions options, Settings settings, ConfigProto config) {
    int s = options.imageSize();
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, -1,
          ModelGraph.inferenceOnly(graph, 0L,
              settings.plan().graph().withFusedLayerNormWhereFused(settings.fusedLayerNorm(), config)));
      try (Session session = new Session(graph, config);
          TFloat32 one = ProbeImages.create(1, s, s);
          TFloat32 many = ProbeImages.create(settings.batch(), s, s)) {
        session.run(built.model().initializer());
        return measure("in-process", settings,
            () -> session.runner().feed(built.images(), one).fetch(built.output().logits()).run().close(),
            () -> session.runner().feed(built.images(), many).fetch(built.output().logits()).run().close());
      }
    }
  }

  private static Figures servingDefault(ExportedModel model, int size, Settings settings) {
    try (TFloat32 one = ProbeImages.create(1, size, size);
        TFloat32 many = ProbeImages.create(settings.batch(), size, size)) {
      return measure("serving_default", settings, () -> model.classify(one), () -> model.classify(many));
    }
  }

  private static Figures imageBytes(ExportedModel model, String format, Settings settings) {
    byte[] encoded = encodedProbe(format);
    List<byte[]> one = List.of(encoded);
    List<byte[]> many = Collections.nCopies(settings.batch(), encoded);
    return measure("image_bytes " + format, settings, () -> model.classifyEncoded(one),
        () -> model.classifyEncoded(many));
  }

  private static Figures measure(String path, Settings settings, Call single, Call batched) {
    for (int i = 0; i < settings.warmup(); i++) {
      single.run();
    }
    double[] ms = new double[settings.latencyRuns()];
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      single.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    for (int i = 0; i < settings.warmup(); i++) {
      batched.run();
    }
    long start = System.nanoTime();
    for (int i = 0; i < settings.batchSteps(); i++) {
      batched.run();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Figures(path, percentile(ms, 50), percentile(ms, 90),
        settings.batch() * settings.batchSteps() / seconds);
  }

  /** Nearest-rank percentile: the smallest sample with at least {@code p} % of the samples at or below it. */
  static double percentile(double[] samples, double p) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The first {@link ProbeImages} image at an ImageNet-like photo size, encoded as {@code format}. */
  static byte[] encodedProbe(String format) {
    BufferedImage image = new BufferedImage(ENCODED_WIDTH, ENCODED_HEIGHT, BufferedImage.TYPE_INT_RGB);
    try (TFloat32 probe = ProbeImages.create(1, ENCODED_HEIGHT, ENCODED_WIDTH)) {
      for (int y = 0; y < ENCODED_HEIGHT; y++) {
        for (int x = 0; x < ENCODED_WIDTH; x++) {
          int rgb = 0;
          for (int c = 0; c < 3; c++) {
            rgb = (rgb << 8) | Math.round(probe.getFloat(0, y, x, c));
          }
          image.setRGB(x, y, rgb);
        }
      }
    }
    return EncodedImages.encode(image, format);
  }
}
