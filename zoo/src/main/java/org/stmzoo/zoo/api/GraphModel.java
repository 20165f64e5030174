package org.stmzoo.zoo.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.layers.core.BatchStreams;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A model built in this process from the registry, its weights loaded as an export would load them: the same
 * {@link ExportRequest} (model, size, preprocessing, classes, weight source) builds it here and, on
 * {@link #export}, into a SavedModel, so the two cannot disagree.
 */
final class GraphModel extends LoadedModel<FloatNdArray> {
  private final ExportRequest request;
  private final Weights origin;
  private final Downloads downloads;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final ClassifierOutput output;

  /**
   * @param origin where the weights came from, which a fine-tuning run starts from
   * @param downloads how {@code origin} was fetched, which a fine-tuning run fetches it by again (from the cache)
   * @param speed how the in-process graph is built and run (an export is built from {@code request} alone)
   */
  GraphModel(ExportRequest request, Weights origin, Downloads downloads, InferenceSpeed speed) {
    super(request.imageSize(), request.preprocessing());
    this.request = request;
    this.origin = origin;
    this.downloads = downloads;
    ModelGraph.Inference inference = speed.graph();
    ModelGraph.Inference form = new ModelGraph.Inference(
        Math.max(request.rowStreams(), inference.rowStreams()),
        Math.max(request.batchStreams(), inference.batchStreams()), inference.fusedLayerNorm(),
        inference.tfAttentionKernel());
    Loaded loaded = Loaded.open(request, form, speed, null);
    if (speed.freezesWeights()) {
      // the loaded weights read back and the model built again around them as constants
      try (Loaded withVariables = loaded;
          FrozenWeights weights = FrozenWeights.read(withVariables.session(), withVariables.model())) {
        loaded = Loaded.open(request, form, speed, weights);
      }
    }
    this.graph = loaded.graph();
    this.session = loaded.session();
    this.images = loaded.images();
    this.output = loaded.output();
  }

  @Override
  public String name() {
    return request.name();
  }

  @Override
  public List<String> classNames() {
    return request.classNames();
  }

  /** In process an image goes into the graph as its preprocessed pixels. */
  @Override
  FloatNdArray read(Path image) throws IOException {
    return preprocess(image);
  }

  @Override
  FloatNdArray read(byte[] encodedImage) throws IOException {
    return preprocess(encodedImage);
  }

  @Override
  FloatNdArray read(BufferedImage image) {
    return preprocess(image);
  }

  @Override
  float[] logitsOf(FloatNdArray image) {
    return run(image, output.logits());
  }

  @Override
  float[] featuresOf(FloatNdArray image) {
    return run(image, output.features());
  }

  @Override
  float[][] batchLogits(FloatNdArray normalisedBatch) {
    try (TFloat32 batch = TFloat32.tensorOf(normalisedBatch.shape(), normalisedBatch::copyTo);
        Result result = session.runner().feed(images, batch).fetch(output.logits()).run()) {
      return ClassifierOutputs.toMatrix((TFloat32) result.get(0));
    }
  }

  /** One output of one preprocessed image. */
  private float[] run(FloatNdArray image, Operand<TFloat32> fetched) {
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(1, imageSize(), imageSize(), 3), t -> image.copyTo(t.get(0)));
        Result result = session.runner().feed(images, batch).fetch(fetched).run()) {
      return ClassifierOutputs.toMatrix((TFloat32) result.get(0))[0];
    }
  }

  @Override
  TrainingResult train(TrainSpec spec, TrainingListener listener, PrintStream log) throws IOException {
    if (spec.model() != null && !spec.model().equals(name())) {
      // the spec would be overridden by this model: a contradiction is a caller's mistake, not a choice to make
      throw new IllegalArgumentException("the spec names model " + spec.model() + ", but this model is " + name()
          + "; fine-tuning trains this model (build the spec with TrainSpec.finetune, which names none)");
    }
    if (origin instanceof Weights.Random random && random.seed() != spec.recipe().seed()) {
      // training initialises from the recipe's seed, which also orders the data: say which one, never guess
      throw new IllegalArgumentException(name() + " was initialised with seed " + random.seed() + ", the recipe's"
          + " seed is " + spec.recipe().seed() + "; fine-tuning initialises from the recipe's seed, so load the"
          + " model with Weights.random(" + spec.recipe().seed() + ") or give the recipe seed " + random.seed());
    }
    TrainSpec own = spec.withModel(name()).withInit(origin).withDownloads(downloads);
    return Training.run(spec.imageSize() == null ? own.withImageSize(imageSize()) : own, listener, log);
  }

  @Override
  Path write(Path baseDir, long version) throws IOException {
    return SavedModelExporter.export(request, baseDir, version).directory();
  }

  @Override
  void release() {
    session.close();
    graph.close();
  }

  /** A built graph and its session, the weights loaded (or held as constants). */
  private record Loaded(Graph graph, Session session, ModelGraph model, Placeholder<TFloat32> images,
      ClassifierOutput output) implements AutoCloseable {

    /** Builds the model; with {@code frozen} null loads the request's weights into its variables. */
    static Loaded open(ExportRequest request, ModelGraph.Inference form, InferenceSpeed speed, FrozenWeights frozen) {
      Graph graph = new Graph();
      Session opened = null;
      try {
        ModelGraph model = frozen == null
            ? ModelGraph.inferenceOnly(graph, request.seed(), form)
            : ModelGraph.inferenceOnly(graph, request.seed(), form, frozen);
        Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, request.imageSize(), request.imageSize(), 3)));
        ClassifierOutput output = BatchStreams.call(model, request.classifier().build(model.root()), images);
        opened = new Session(graph, speed.session());
        if (frozen == null) {
          CheckpointOps checkpoint = CheckpointOps.build(model, "restore", model.modelVariables());
          opened.runner().addTarget(model.initializer()).run();
          request.weights().load(opened, model, checkpoint);
        }
        return new Loaded(graph, opened, model, images, output);
      } catch (RuntimeException e) {
        // the session first: Graph.close() waits until every session on the graph is closed, so a failed restore
        // (a damaged checkpoint) would otherwise leave the caller blocked forever
        if (opened != null) {
          opened.close();
        }
        graph.close();
        throw e;
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
