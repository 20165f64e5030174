package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The graph-wide state of one model: the TF graph, its variables by path, the {@code training} switch,
 * state updates that a training step must run (BatchNorm statistics), and named feature maps recorded while
 * building (used by {@code describe}).
 */
public final class ModelGraph {
  /**
   * The name suffix of a weight times its folded layer scale ({@link #weight}): {@code <layer>.kernel.scaled}, so
   * that a profile attributes it, and the products reading it, to the weight's layer as it does a variable's read.
   */
  public static final String SCALED_SUFFIX = ".scaled";

  /**
   * Below this many rows (tokens) per stream and image, layers that may share out their units among the streams do
   * ({@link #sharesUnits}): one thread's products with 25 rows ran at 33 GMAC/s on the Zen 4 VMs, the same
   * multiply-adds with all 50 rows and half the columns at 44 (pit-ti's last stage; its 99-row streams elsewhere
   * at 45).
   */
  public static final int FEWEST_ROWS_PER_STREAM = 32;

  private final Graph graph;
  private final Ops tf;
  private final long seed;
  private final Operand<TBool> training;
  private final LayerScope root;
  private final Map<String, ModelVariable> variables = new LinkedHashMap<>();
  private final List<Op> stateUpdates = new ArrayList<>();
  private final List<StateUpdate> stateUpdateValues = new ArrayList<>();
  private final Map<String, Operand<TFloat32>> features = new LinkedHashMap<>();
  private final List<ScaleFold> scaleFolds = new ArrayList<>();
  /** Weights times their folded scale, one product per weight however often layers read it. */
  private final Map<String, Operand<TFloat32>> scaledWeights = new HashMap<>();
  /** Paths of the weights layers have read through {@link #weight}: a fold declared after that would miss them. */
  private final Set<String> weightsRead = new HashSet<>();
  /** Frozen weights' parts taken so far ({@link #weightPart}), by op name. */
  private final Map<String, WeightPart> weightParts = new HashMap<>();
  private final Inference inference;
  private final FrozenWeights frozen;
  private Operand<TInt64> randomSeed;
  private long stochasticCalls;

  /**
   * How an inference-only graph is built for speed; the function is the same either way.
   *
   * @param rowStreams independent chains the layers that allow it are built as (1: none): the MLPs on blocks of
   *     rows ({@link RowStreams}), stacks of ViT/PiT transformer blocks on parts of the tokens (with frozen weights
   *     and few tokens, on shares of their heads; {@code TransformerBlock.stack}), the unified skeleton's stages on
   *     bands of rows ({@link MapBands}). For batch-1 latency on that many cores.
   * @param batchStreams parts the batch is cut into, each through the whole network as its own chain and joined
   *     at the outputs ({@link BatchStreams}; 1: none). For batches on that many cores: unlike row streams the
   *     chains never wait for each other and do no extra work
   * @param fusedLayerNorm LayerNorm in the form TF's remapper fuses into oneDNN's one-pass kernel ({@link
   *     OneDnnOps#layerNorm}) instead of seven element-wise ops: standard ops, the same function. Where the graph
   *     may be trained it gives the forward value only and the gradient stays the element-wise form's rule. For
   *     CPU graphs: in-process where TF fuses it ({@link OneDnnOps#remapperFusesLayerNorm}), in exports for CPU
   *     serving
   * @param tfAttentionKernel attention's two batched products (ViT/PiT, U-PVT, U-Halo) as TF's own kernel
   *     ({@link ProductForm#TF_KERNEL}) instead of oneDNN's: the same function; for in-process graphs on CPUs where
   *     it is the faster kernel ({@link AttentionKernelProbe})
   */
  public record Inference(int rowStreams, int batchStreams, boolean fusedLayerNorm, boolean tfAttentionKernel) {
    public static final Inference PLAIN = new Inference(1, 1, false);

    public Inference {
      if (rowStreams < 1) {
        throw new IllegalArgumentException("row streams must be >= 1, got " + rowStreams);
      }
      if (batchStreams < 1) {
        throw new IllegalArgumentException("batch streams must be >= 1, got " + batchStreams);
      }
    }

    public Inference(int rowStreams, int batchStreams, boolean fusedLayerNorm) {
      this(rowStreams, batchStreams, fusedLayerNorm, false);
    }

    public static Inference ofRowStreams(int rowStreams) {
      return new Inference(rowStreams, 1, false);
    }

    public static Inference ofBatchStreams(int batchStreams) {
      return new Inference(1, batchStreams, false);
    }

    public Inference withFusedLayerNorm(boolean fused) {
      return new Inference(rowStreams, batchStreams, fused, tfAttentionKernel);
    }

    public Inference withTfAttentionKernel(boolean tfKernel) {
      return new Inference(rowStreams, batchStreams, fusedLayerNorm, tfKernel);
    }

    /**
     * TF's own kernel for attention's products where {@code wanted} and it is the faster one in this process for a
     * session with options {@code session} ({@link AttentionKernelProbe#tfKernelFaster}): which kernel wins
     * depends on the CPU (issue 12's sixteenth and eighteenth rounds, docs/benchmarks.md).
     */
    public Inference withTfAttentionKernelWhereFaster(boolean wanted, ConfigProto session) {
      return withTfAttentionKernel(wanted && AttentionKernelProbe.tfKernelFaster(session));
    }

    /**
     * The fused LayerNorm where it is {@code wanted} and TF fuses it in this process, for a graph run in-process
     * by a session with options {@code session} ({@link OneDnnOps#remapperFusesLayerNorm}); elsewhere the form
     * would be slower than the element-wise one.
     */
    public Inference withFusedLayerNormWhereFused(boolean wanted, ConfigProto session) {
      return withFusedLayerNorm(wanted && OneDnnOps.remapperFusesLayerNorm(session));
    }
  }

  private ModelGraph(Graph graph, long seed, boolean inferenceOnly, Inference inference, FrozenWeights frozen) {
    this.graph = graph;
    this.inference = inference;
    this.frozen = frozen;
    this.tf = Ops.create(graph);
    this.seed = seed;
    this.training = inferenceOnly
        ? tf.withName("training").constant(false)
        : tf.withName("training").placeholderWithDefault(tf.constant(false), Shape.scalar());
    this.root = new LayerScope(this, "", tf);
  }

  /** A graph whose {@link #training()} is a placeholder defaulting to false. */
  public static ModelGraph create(Graph graph, long seed) {
    return new ModelGraph(graph, seed, false, Inference.PLAIN, null);
  }

  /** A graph whose {@link #training()} is the constant false: no training branch is ever built. */
  public static ModelGraph inferenceOnly(Graph graph, long seed) {
    return new ModelGraph(graph, seed, true, Inference.PLAIN, null);
  }

  /** An inference-only graph built as {@code rowStreams} independent chains where the function allows. */
  public static ModelGraph inferenceOnly(Graph graph, long seed, int rowStreams) {
    return new ModelGraph(graph, seed, true, Inference.ofRowStreams(rowStreams), null);
  }

  /** An inference-only graph built for speed as {@code inference} says. */
  public static ModelGraph inferenceOnly(Graph graph, long seed, Inference inference) {
    return new ModelGraph(graph, seed, true, inference, null);
  }

  /**
   * An inference-only graph built as {@code inference} says whose variables are the constants {@code weights}
   * read from the same model ({@link FrozenWeights}): no variable ops, nothing to initialise or restore. Build the
   * same model (same classifier, options and size) as the weights were read from; a variable without a value
   * fails the build.
   */
  public static ModelGraph inferenceOnly(Graph graph, long seed, Inference inference, FrozenWeights weights) {
    return new ModelGraph(graph, seed, true, inference, java.util.Objects.requireNonNull(weights, "weights"));
  }

  /**
   * Declares that {@code scale} multiplies {@code layer}'s output per channel and nothing comes between (a
   * residual branch's layer scale): where the branch is called for inference (training the constant false), the
   * scale is taken into the layer's last projection and the layer scale multiplies nothing ({@link #scaleFolded}).
   * Weights frozen from this graph carry it in their values ({@link FrozenWeights}, {@link ScaleFold}); with
   * variables the projection computes with {@code W g} and {@code b g} ({@link #weight}), a product over the
   * weights per run instead of one over the branch's output. Calls that may train keep the multiplication.
   *
   * @throws IllegalArgumentException when the scale or the projection already has a fold, or the shapes differ
   * @throws IllegalStateException when the projection has been called already: the fold must be declared first
   */
  public void foldScale(ModelVariable scale, EndsInProjection layer) {
    ScaleFold fold = new ScaleFold(scale, layer.outputProjection());
    for (ScaleFold declared : scaleFolds) {
      if (declared.scale().path().equals(scale.path())
          || declared.into().kernel().path().equals(fold.into().kernel().path())) {
        throw new IllegalArgumentException("a scale fold into " + fold.into().kernel().path() + " or of "
            + scale.path() + " is declared already");
      }
    }
    if (weightsRead.contains(fold.into().kernel().path())) {
      throw new IllegalStateException("a scale fold into " + fold.into().kernel().path()
          + " is declared after the projection was built: declare it before calling the layer");
    }
    scaleFolds.add(fold);
  }

  /** The scale folds declared so far ({@link #foldScale}). */
  public List<ScaleFold> scaleFolds() {
    return List.copyOf(scaleFolds);
  }

  /**
   * Whether {@code scale}'s values are in its projection's weights in a call with {@code training}, so that the
   * layer multiplies nothing: frozen weights that carry it, or an inference call ({@link #weight}).
   */
  public boolean scaleFolded(ModelVariable scale, Operand<TBool> training) {
    if (frozen != null) {
      return frozen.folded(scale.path());
    }
    return inferenceCall(training) && scaleFolds.stream().anyMatch(f -> f.scale().path().equals(scale.path()));
  }

  /**
   * The value a layer computes with for its weight {@code v} in a call with {@code training}: the variable's value
   * ({@link ModelVariable#value}), or in an inference call on variables, where a scale is folded into {@code v}'s
   * projection ({@link #foldScale}), that value times the scale.
   */
  public Operand<TFloat32> weight(ModelVariable v, Operand<TBool> training) {
    Optional<ScaleFold> fold = foldInto(v);
    weightsRead.add(v.path());
    if (fold.isEmpty() || frozen != null || !inferenceCall(training)) {
      return v.value();
    }
    return scaledWeights.computeIfAbsent(v.path(), path -> tf.withName(scaledName(v)).math.mul(v.value(),
        fold.get().scale().value()));
  }

  /**
   * The value of weight {@code v} for a call that does not say whether it trains (bands, heads split by inputs):
   * only for weights no scale is folded into.
   *
   * @throws IllegalStateException when a scale is folded into {@code v} ({@link #foldScale}): call the layer with
   *     its {@code training} switch
   */
  public Operand<TFloat32> unscaledWeight(ModelVariable v) {
    if (foldInto(v).isPresent()) {
      throw new IllegalStateException(v.path() + " carries a folded layer scale: read it with the call's training"
          + " switch");
    }
    weightsRead.add(v.path());
    return v.value();
  }

  /**
   * Whether a layer with {@code rowsPerImage} rows per image computes as shares of its units (heads, hidden units;
   * {@link Share}), each stream over all rows, instead of as parts of its rows: in an inference
   * call of a graph with row streams and frozen weights (the latency plan's; each share's weights are then
   * constants of their own, {@link #weightPart}) where a stream would have fewer than
   * {@link #FEWEST_ROWS_PER_STREAM} rows.
   */
  public boolean sharesUnits(long rowsPerImage, Operand<TBool> training) {
    return rowStreams() > 1 && frozen != null && inferenceCall(training)
        && rowsPerImage < (long) FEWEST_ROWS_PER_STREAM * rowStreams();
  }

  /**
   * The entries {@code indices} along {@code axis} of weight {@code v} as a call with {@code training} reads it
   * ({@link #weight}): what one chain computes with where a layer's outputs or input features are shared out among
   * chains ({@code Dense.callOutputs}, {@code Dense.callInputs}). With frozen weights a constant of its own, taken
   * when the graph is built (named {@code <weight>_<share>}, so that a profile finds its layer); with variables a
   * gather on every run.
   */
  public Operand<TFloat32> weightPart(ModelVariable v, Operand<TBool> training, int axis, long[] indices,
      String share) {
    if (axis < 0 || axis >= v.shape().numDimensions()) {
      throw new IllegalArgumentException("axis " + axis + " is not an axis of " + v.path() + " " + v.shape());
    }
    if (frozen == null) {
      return tf.gather(weight(v, training), tf.constant(indices), tf.constant(axis));
    }
    weightsRead.add(v.path());
    String read = v.value().op().name();
    String name = read.substring(0, read.length() - FrozenWeights.READ_SUFFIX.length()) + "_" + share;
    WeightPart part = weightParts.computeIfAbsent(name,
        n -> new WeightPart(axis, indices.clone(), frozen.part(tf, n, v.path(), axis, indices)));
    if (part.axis() != axis || !Arrays.equals(part.indices(), indices)) {
      throw new IllegalArgumentException("share " + share + " of " + v.path() + " was taken with other entries");
    }
    return part.value();
  }

  private record WeightPart(int axis, long[] indices, Operand<TFloat32> value) {}

  /** The variable's op name ({@code <layer>.kernel}, from its read {@code <layer>.kernel.read}) and the suffix. */
  private static String scaledName(ModelVariable v) {
    String read = v.value().op().name();
    return read.substring(0, read.lastIndexOf('.')) + SCALED_SUFFIX;
  }

  private Optional<ScaleFold> foldInto(ModelVariable v) {
    return scaleFolds.stream()
        .filter(f -> f.into().kernel().path().equals(v.path())
            || f.into().bias() != null && f.into().bias().path().equals(v.path()))
        .findFirst();
  }

  private static boolean inferenceCall(Operand<TBool> training) {
    return Training.staticValue(training).map(t -> !t).orElse(false);
  }

  /** Whether the weights are constants in this graph ({@link FrozenWeights}): then no variable has a handle. */
  public boolean frozenWeights() {
    return frozen != null;
  }

  /** How many independent chains layers that allow it are built as (1: none). */
  public int rowStreams() {
    return inference.rowStreams();
  }

  /** How many parts the batch is cut into, each through the whole network ({@link BatchStreams}; 1: none). */
  public int batchStreams() {
    return inference.batchStreams();
  }

  /**
   * The form of attention's products in this graph's ViT/PiT, U-PVT and U-Halo attention, called with
   * {@code training}: {@code Einsum} where that may be true, TF's own kernel where the graph asked for it ({@link Inference#tfAttentionKernel}), else
   * oneDNN's. (U-Swin's window attention keeps {@link ProductForm#forAttention}: its thousands of 49 x 49
   * products per batch ran slower in TF's kernel on every CPU measured.)
   */
  public ProductForm attentionProducts(Operand<TBool> training) {
    ProductForm form = ProductForm.forAttention(training);
    return form == ProductForm.ONEDNN && inference.tfAttentionKernel() ? ProductForm.TF_KERNEL : form;
  }

  /** Whether LayerNorms are built in the form TF fuses into oneDNN's kernel (graphs that asked for it). */
  public boolean fusedLayerNorm() {
    return inference.fusedLayerNorm();
  }

  public Graph graph() {
    return graph;
  }

  public Ops tf() {
    return tf;
  }

  public LayerScope root() {
    return root;
  }

  public Operand<TBool> training() {
    return training;
  }

  ModelVariable createVariable(
      LayerScope scope, String name, Shape shape, Initializer init, VariableRole role, boolean decay) {
    String path = scope.child(name).path();
    if (variables.containsKey(path)) {
      throw new IllegalStateException("variable " + path + " already exists");
    }
    if (shape.hasUnknownDimension()) {
      throw new IllegalArgumentException("variable " + path + " needs a static shape, got " + shape);
    }
    String opName = path.replace('/', '.');
    if (frozen != null) {
      ModelVariable variable = new ModelVariable(path, shape, role, decay, null,
          frozen.operand(tf, opName, path, shape), null);
      variables.put(path, variable);
      return variable;
    }
    VarHandleOp handle = tf.withName(opName).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(path));
    Operand<TFloat32> initial = init.build(tf, shape, seedFor(path));
    Op assign = tf.withName(opName + ".assign_initial").assignVariableOp(handle, initial);
    Operand<TFloat32> value = tf.withName(opName + ".read").readVariableOp(handle, TFloat32.class);
    ModelVariable variable = new ModelVariable(path, shape, role, decay, handle, value, assign);
    variables.put(path, variable);
    return variable;
  }

  private long seedFor(String path) {
    // Stable across runs and independent of creation order: the model seed mixed with the path's hash.
    long h = 1125899906842597L;
    for (int i = 0; i < path.length(); i++) {
      h = 31 * h + path.charAt(i);
    }
    return (h ^ (seed * 0x9E3779B97F4A7C15L)) & Long.MAX_VALUE;
  }

  /** All variables in creation order. */
  public Map<String, ModelVariable> variables() {
    return Collections.unmodifiableMap(variables);
  }

  public List<ModelVariable> trainableVariables() {
    return variables.values().stream().filter(ModelVariable::trainable).toList();
  }

  /** Model variables (trainable and moving statistics), without training state: what an export holds. */
  public List<ModelVariable> modelVariables() {
    return variables.values().stream().filter(v -> v.role() != VariableRole.TRAINING_STATE).toList();
  }

  public long parameterCount() {
    return trainableVariables().stream().mapToLong(ModelVariable::size).sum();
  }

  /**
   * The seed pair {@code [int64; 2]} of the model's stochastic layers (dropout, drop path). Unfed, it is drawn
   * afresh every run; a trainer feeds it per step (e.g. {@code [seed, step]}) to make the masks reproducible,
   * which exact resume needs.
   */
  public Operand<TInt64> randomSeed() {
    if (randomSeed == null) {
      Operand<TInt64> fresh = tf.random.randomUniformInt(tf.constant(new int[] {2}), tf.constant(0L),
          tf.constant(Long.MAX_VALUE));
      randomSeed = tf.withName("random_seed").placeholderWithDefault(fresh, Shape.of(2));
    }
    return randomSeed;
  }

  /**
   * A seed for one stochastic op: {@link #randomSeed()} salted with a counter of the calls made while building,
   * so every call site draws independently and the same call site gets the same salt in every build.
   */
  public Operand<TInt64> stochasticSeed() {
    stochasticCalls++;
    return tf.math.add(randomSeed(), tf.constant(new long[] {stochasticCalls * 0x9E3779B97F4A7C15L, 0L}));
  }

  /**
   * A non-trainable variable's new value after a training forward (e.g. a BatchNorm moving statistic).
   * Data-parallel training builds the forward once per replica and assigns the mean of the replicas' values.
   */
  public record StateUpdate(ModelVariable variable, Operand<TFloat32> value) {}

  /** Registers a state update and the op that assigns it, which a single-forward training step runs. */
  public void addStateUpdate(ModelVariable variable, Operand<TFloat32> value) {
    if (variable.frozen()) {
      throw new IllegalStateException("variable " + variable.path() + " is a frozen weight and cannot be updated");
    }
    stateUpdateValues.add(new StateUpdate(variable, value));
    stateUpdates.add(tf.assignVariableOp(variable.handle(), value));
  }

  /** The assign ops of all state updates, in registration order. */
  public List<Op> stateUpdates() {
    return Collections.unmodifiableList(stateUpdates);
  }

  /** All state updates as (variable, value), in registration order (parallel to {@link #stateUpdates()}). */
  public List<StateUpdate> stateUpdateValues() {
    return Collections.unmodifiableList(stateUpdateValues);
  }

  /** Records a named intermediate (e.g. {@code stage0}) so tools can report its shape. */
  public void recordFeature(String name, Operand<TFloat32> feature) {
    features.put(name, feature);
  }

  public Map<String, Operand<TFloat32>> features() {
    return Collections.unmodifiableMap(features);
  }

  /** One op that runs every variable's initializer. Build it after the model is complete. */
  public Op initializer() {
    return tf.withControlDependencies(
        variables.values().stream().filter(v -> !v.frozen()).map(ModelVariable::initializer).toList()).noOp();
  }
}
