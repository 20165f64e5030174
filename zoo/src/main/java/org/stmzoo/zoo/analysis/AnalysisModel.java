package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.recipes.train.CheckpointShapes;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ModelImport;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;
import org.stmzoo.zoo.weights.SizeAdaptation;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * A model opened for the analyses: built inference-only (training is the constant false: no dropout, no drop
 * path, BatchNorm reads its moving statistics and never updates them) at the image size an analysis needs, with
 * its weights loaded, in its own graph and session. The analyses add their ops (gradients, attack steps) to
 * {@link #graph()} and feed {@link BuiltModel#images()} with normalised batches ({@link #normalise}).
 */
public final class AnalysisModel implements AutoCloseable {
  /** Where the weights come from. */
  public sealed interface Weights {
    /** An stmzoo checkpoint or run folder ({@link StmzooCheckpoint#resolve}); {@code ema}: its EMA copies. */
    record Checkpoint(Path path, boolean ema) implements Weights {}

    /** A reference (PyTorch) file, e.g. a fetched pretrained release, imported through the family's key map. */
    record Reference(Path file, String description, Preprocessing preprocessing) implements Weights {}

    /** Fresh initialisation, for tests and smoke runs only (the analyses of untrained weights mean little). */
    record RandomInit(long seed) implements Weights {}
  }

  /**
   * @param model the registered model; with a checkpoint null (the checkpoint names it) or the same name
   * @param imageSize the size to build at; null for the weights' own (a checkpoint's, else the model's default)
   * @param numClasses classes of a randomly initialised model (null: 1000); others take their weights'
   */
  public record Spec(String model, Weights weights, Integer imageSize, Integer numClasses) {
    public Spec withImageSize(Integer size) {
      return new Spec(model, weights, size, numClasses);
    }

    /** The model's name, from the checkpoint's metadata when the weights are a checkpoint. */
    public String modelName() throws IOException {
      return weights instanceof Weights.Checkpoint c ? StmzooCheckpoint.resolve(c.path()).entry().name()
          : ModelRegistry.get(model).name();
    }

    /** How the weights expect their input (mean, std, evaluation crop), known before the model is built. */
    public Preprocessing preprocessing() throws IOException {
      if (weights instanceof Weights.Checkpoint c) {
        return StmzooCheckpoint.resolve(c.path()).preprocessing();
      }
      return weights instanceof Weights.Reference r ? r.preprocessing() : ModelRegistry.get(model).preprocessing();
    }
  }

  private final Graph graph;
  private final Session session;
  private final BuiltModel built;
  private final Preprocessing preprocessing;
  private final List<String> classNames;
  private final String description;
  private final List<String> notes;

  private AnalysisModel(Graph graph, Session session, BuiltModel built, Preprocessing preprocessing,
      List<String> classNames, String description, List<String> notes) {
    this.graph = graph;
    this.session = session;
    this.built = built;
    this.preprocessing = preprocessing;
    this.classNames = List.copyOf(classNames);
    this.description = description;
    this.notes = List.copyOf(notes);
  }

  /**
   * Builds and loads the model. A checkpoint opened at another size than it was written for gets its
   * size-dependent tensors resized as the importer resizes them ({@link SizeAdaptation}); a size the architecture
   * cannot take fails naming its constraint before anything is built.
   */
  public static AnalysisModel open(Spec spec) throws IOException {
    if (spec.weights() instanceof Weights.Checkpoint c) {
      return openCheckpoint(spec, c);
    }
    ModelEntry entry = entry(spec);
    ModelOptions options = ModelOptions.imagenet().withImageSize(size(spec, entry.defaultImageSize()));
    if (spec.weights() instanceof Weights.Reference r) {
      entry.checkImageSize(options.imageSize());
      return build(entry, options, r.preprocessing(), List.of(), r.description(), (session, built, notes) ->
          notes.addAll(ModelImport.apply(built, ReferenceCheckpoints.read(r.file()), session).notes()), 0L);
    }
    Weights.RandomInit r = (Weights.RandomInit) spec.weights();
    return randomInit(entry, options.withNumClasses(spec.numClasses() == null ? 1000 : spec.numClasses()),
        r.seed());
  }

  /** Any model entry (a registered one, or one of your own) with freshly initialised weights. */
  public static AnalysisModel randomInit(ModelEntry entry, ModelOptions options, long seed) throws IOException {
    entry.checkImageSize(options.imageSize());
    return build(entry, options, entry.preprocessing(), List.of(), "random initialisation (seed " + seed + ")",
        (session, built, notes) -> session.runner().addTarget(built.model().initializer()).run(), seed);
  }

  private static AnalysisModel openCheckpoint(Spec spec, Weights.Checkpoint c) throws IOException {
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(c.path());
    ModelEntry entry = checkpoint.entry();
    if (spec.model() != null && !ModelRegistry.get(spec.model()).name().equals(entry.name())) {
      throw new IllegalArgumentException("checkpoint " + checkpoint.directory() + " holds " + entry.name()
          + ", not " + spec.model());
    }
    int trained = checkpoint.metadata().imageSize();
    ModelOptions options = checkpoint.options().withImageSize(size(spec, trained));
    entry.checkImageSize(options.imageSize());
    Optional<String> emaScore = checkpoint.emaScoreNote(c.ema())
        .map(note -> note + "; --ema analyses the EMA weights");
    Loader loader = (session, built, notes) -> {
      emaScore.ifPresent(notes::add);
      if (options.imageSize() == trained) {
        checkpoint.restore(session, built, c.ema());
      } else {
        restoreResized(checkpoint, c.ema(), session, built, notes);
      }
    };
    return build(entry, options, checkpoint.preprocessing(), checkpoint.metadata().classNames(),
        checkpoint.describe(c.ema()), loader, 0L);
  }

  /**
   * The checkpoint loaded into {@code built}, built at another size ({@link SizeAdaptation#restore}). The model
   * keeps the checkpoint's class count, so a head of another shape cannot stay freshly initialised as fine-tuning
   * leaves it: it is an error, naming the variables. No initializer runs: every variable comes from the checkpoint,
   * as at the checkpoint's own size.
   */
  private static void restoreResized(StmzooCheckpoint checkpoint, boolean ema, Session session, BuiltModel built,
      List<String> notes) {
    SizeAdaptation.Restored restored = checkpoint.restoreAdapted(session, built.model(), built.model().modelVariables(),
        ema);
    if (!restored.head().isEmpty()) {
      throw new IllegalArgumentException("checkpoint " + checkpoint.directory() + " does not fit "
          + built.entry().name() + " at " + built.options().imageSize() + "px: " + String.join(", ",
              restored.head().stream().map(CheckpointShapes.Mismatch::describe).toList())
          + " (checkpoint vs model); the analyses keep the checkpoint's " + built.options().numClasses()
          + " classes, so its head must keep its shape");
    }
    notes.addAll(restored.notes());
  }

  @FunctionalInterface
  private interface Loader {
    void load(Session session, BuiltModel built, List<String> notes) throws IOException;
  }

  private static AnalysisModel build(ModelEntry entry, ModelOptions options, Preprocessing preprocessing,
      List<String> classNames, String description, Loader loader, long seed) throws IOException {
    Graph graph = new Graph();
    Session session = null;
    try {
      BuiltModel built = BuiltModel.build(entry, options, graph, seed, -1, true);
      session = new Session(graph);
      List<String> notes = new ArrayList<>();
      loader.load(session, built, notes);
      return new AnalysisModel(graph, session, built, preprocessing, classNames, description, notes);
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      throw e;
    }
  }

  private static ModelEntry entry(Spec spec) {
    if (spec.model() == null) {
      throw new IllegalArgumentException("a model name is needed for " + spec.weights());
    }
    return ModelRegistry.get(spec.model());
  }

  private static int size(Spec spec, int fallback) {
    return spec.imageSize() == null ? fallback : spec.imageSize();
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public BuiltModel built() {
    return built;
  }

  public String name() {
    return built.entry().name();
  }

  public int imageSize() {
    return built.options().imageSize();
  }

  public int numClasses() {
    return built.options().numClasses();
  }

  /** The input channels (1: gray, 3: RGB). */
  public int channels() {
    return built.options().inChannels();
  }

  /** The crop fraction of an analysis's clean or reference view: {@code given}, else the weights' evaluation crop. */
  public float cropPct(Float given) {
    return given != null ? given : preprocessing.cropPct();
  }

  /** Mean, std and evaluation crop the weights expect. */
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** Class names in logit order; empty when the weights do not name them. */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * Fails when labelled {@code data} names other classes than the weights were trained on (when both name them),
   * or has more classes than the model has outputs.
   */
  public void checkLabels(AnalysisImages data) {
    if (!data.labelled()) {
      return;
    }
    List<String> names = data.classNames();
    if (!classNames.isEmpty() && !names.isEmpty() && !ImageNetClasses.sameClasses(classNames, names)) {
      throw new IllegalArgumentException(description + " was trained on classes " + classNames + ", but "
          + data.description() + " has " + names);
    }
    if (names.size() > numClasses()) {
      throw new IllegalArgumentException(data.description() + " has " + names.size() + " classes, the model "
          + numClasses() + " outputs");
    }
  }

  /** One line naming the weights. */
  public String description() {
    return description;
  }

  /**
   * What loading adapted (embeddings resized for the image size, a head re-initialised), and for the live weights
   * of a run that scored its EMA weights, that note ({@link StmzooCheckpoint#emaScoreNote}).
   */
  public List<String> notes() {
    return notes;
  }

  /** The spatial feature map of stage {@code stage} (its recorded {@code stageK} output, NHWC). */
  public Optional<Operand<TFloat32>> stageFeature(int stage) {
    return Optional.ofNullable(built.model().features().get("stage" + stage));
  }

  /** The number of recorded stage outputs (stage0, stage1, ...). */
  public int stages() {
    int n = 0;
    while (built.model().features().containsKey("stage" + n)) {
      n++;
    }
    return n;
  }

  /**
   * The gradient of {@code scalar} with respect to the model's (normalised) input, {@code [batch, H, W, C]}, added to
   * {@link #graph()}.
   */
  public Operand<TFloat32> inputGradient(Operand<TFloat32> scalar) {
    Output<?>[] gradient = graph.addGradients(scalar.asOutput(), new Output<?>[] {built.images().asOutput()});
    @SuppressWarnings("unchecked")
    Operand<TFloat32> g = (Operand<TFloat32>) gradient[0];
    return g;
  }

  /** {@code (x - mean) / std} per channel of an NHWC [0, 1] batch, into a new array. */
  public float[] normalise(float[] pixels) {
    float[] mean = preprocessing.mean();
    float[] std = preprocessing.std();
    int ch = channels();
    float[] out = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      int c = i % ch;
      out[i] = (pixels[i] - Views.channel(mean, c)) / Views.channel(std, c);
    }
    return out;
  }

  /** Logits {@code [n, classes]} of an NHWC [0, 1] batch of {@code n} images at {@link #imageSize()}. */
  public float[][] logits(float[] pixels, int n) {
    try (TFloat32 in = Batches.tensor(normalise(pixels), n, imageSize(), channels());
        Tensor out = session.runner().feed(built.images(), in).fetch(built.output().logits()).run().get(0)) {
      return Batches.rows((TFloat32) out, n, numClasses());
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
