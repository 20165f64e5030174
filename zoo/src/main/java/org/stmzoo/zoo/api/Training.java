package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.layers.io.ShellWords;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.parallel.Cluster;
import org.stmzoo.recipes.parallel.ClusterChief;
import org.stmzoo.recipes.parallel.ClusterServer;
import org.stmzoo.recipes.parallel.GraphSession;
import org.stmzoo.recipes.parallel.NativeGraphs;
import org.stmzoo.recipes.parallel.Replicas;
import org.stmzoo.recipes.parallel.ShardProducer;
import org.stmzoo.recipes.parallel.SharedArguments;
import org.stmzoo.recipes.train.CheckpointShapes;
import org.stmzoo.recipes.train.Teacher;
import org.stmzoo.recipes.train.Trainer;
import org.stmzoo.recipes.train.TrainingGraph;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.KeyMap;
import org.stmzoo.zoo.weights.ModelImport;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;
import org.stmzoo.zoo.weights.SizeAdaptation;
import org.stmzoo.zoo.weights.WeightImporter;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;

/**
 * Runs a {@link TrainSpec}: DeiT's recipe, one graph, one session.run per step; see {@link TrainingGraph} and
 * {@link Trainer}. What {@code ./stmzoo train} and {@link StmzooModel#finetune} both call. Starts from scratch,
 * from an stmzoo checkpoint (an import output or another run), from a published release, or continues the
 * output's run ({@link TrainSpec#resume()}). The run's {@code last/} and {@code best/} are stmzoo checkpoints that
 * eval, export, predict and {@link Stmzoo#load(Path)} read as they are.
 */
public final class Training {
  /**
   * The args.json keys a resumed run may change: where its weights started (now in {@code last}) and how this
   * process runs it (loader threads, replicas).
   */
  private static final Set<String> RESUME_MAY_CHANGE = Set.of("init", "pretrained", "threads", "replicas");
  /**
   * The args.json keys of the folders a run trained on, as typed, and of their real paths, which a resume compares
   * ({@link #checkResumable}).
   */
  private static final Map<String, String> REAL_PATHS = Map.of("data", "data_path", "val", "val_path");
  /**
   * The args.json keys the tasks of a cluster need not share ({@link #sharedArguments}): paths, which differ from
   * host to host, what only the chief reads or runs (the init weights, the teacher and its distillation settings),
   * and what other keys determine (the model's input, the scaled lr).
   */
  private static final Set<String> NOT_SHARED = Set.of("val", "data_path", "val_path", "train_set", "val_set",
      "limit_val", "crop_pct", "init",
      "pretrained", "distill_teacher", "distill_type", "distill_alpha", "distill_tau", "threads", "num_classes",
      "in_channels", "mean", "std", "scaled_lr", "remode", "replicas");
  /** Training drops an epoch's last partial batch, as DeiT's loader does. */
  private static final boolean TRAIN_DROPS_LAST = true;

  private Training() {}

  /**
   * Trains as {@code spec} says; {@code listener} follows the steps and epochs, {@code log} gets the text lines
   * the CLI prints (the model, the init, one line per epoch).
   */
  public static TrainingResult run(TrainSpec spec, TrainingListener listener, PrintStream log) throws IOException {
    // before anything is read or written: a missing argument found after args.json would leave a run folder behind
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(listener, "listener (TrainingListener.none() for none)");
    Objects.requireNonNull(log, "log");
    // a teacher and the recipe's distillation type go together: found here, not once args.json is written
    spec.recipe().distillation().checkTeacher(spec.distillTeacher() != null);
    if (spec.model() == null && !(spec.init() instanceof Weights.Pretrained)) {
      throw new IllegalArgumentException("a model name is required (or pretrained weights naming one)");
    }
    boolean resume = spec.resume();
    Parallelism parallel = spec.parallelism();
    Optional<Cluster> cluster = parallel.clusterIfAny();
    // a cluster's workers only feed batches: the run folder is the chief's (or the single process's)
    boolean writesRun = cluster.map(Cluster::isChief).orElse(true);
    Path out = spec.output();
    // before the data is read or weights fetched: a wrong path should cost nothing
    if (writesRun) {
      PathChecks.outputFolder(out);
      checkOutputFolder(out, resume);
    }
    spec.data().checkFolders();
    // what a resumed run was started with (args.json), read once: its crop and the arguments it must repeat
    Map<String, Object> saved = writesRun && resume ? new RunDirectory(out).readArgs() : null;
    Optional<Downloads.Release> release = spec.init() instanceof Weights.Pretrained p
        ? Optional.of(spec.downloads().release(spec.model(), p.tag())) : Optional.empty();
    ModelEntry entry = release.isPresent() ? release.get().model() : ModelRegistry.get(spec.model());
    RecipeConfig recipe = spec.recipe();
    float cropPct = spec.cropPct() != null ? spec.cropPct()
        : saved != null ? recordedCropPct(saved, entry.preprocessing().cropPct())
        : entry.preprocessing().cropPct();
    DataSpec.Loaded data = spec.data().load(recipe.seed());
    List<String> classes = data.train().classNames();
    RunModel model = RunModel.of(entry, spec.imageSize() != null ? spec.imageSize() : entry.defaultImageSize(),
        spec.dropPath(), classes);
    entry.checkImageSize(model.options().imageSize());
    int threads = spec.threads();
    Replicas replicas = parallel.replicas();
    replicas.checkBatchSize(recipe.batchSize());
    Map<String, Object> args = args(model, spec, cropPct, data);
    SharedArguments shared = sharedArguments(args, spec.data().kind(), data.train().size());
    if (saved != null) {
      checkResumable(out, saved, args);
      if (cluster.isEmpty()) {
        // a finished run is found from its checkpoint's record, before a teacher, initial weights or a release
        // are read and the training graph is built and restored (a cluster's chief goes on: its workers wait to
        // be released by the loop); the epoch cut as trainLoader's loader cuts it
        Optional<List<EpochRecord>> finished = Trainer.finishedRun(new RunDirectory(out),
            BatchLoader.batchesPerEpoch(data.train().size(), recipe.batchSize(), TRAIN_DROPS_LAST), recipe.epochs(),
            log);
        if (finished.isPresent()) {
          return new TrainingResult(out, finished.get());
        }
      }
    }
    String target = cluster.map(ClusterServer::start).orElse(null);
    if (cluster.isPresent() && !cluster.get().isChief()) {
      // a worker only feeds batches: the initial weights and the teacher are the chief's to read (or download)
      produceShard(cluster.get(), target, parallel.timeout(), data, model, spec, shared, log);
      return new TrainingResult(out, List.of());
    }
    Optional<Teacher> teacher = teacher(spec.distillTeacher(), model);
    Optional<Weights.Checkpoint> initWeights = spec.init() instanceof Weights.Checkpoint c
        ? Optional.of(c) : Optional.empty();
    Optional<StmzooCheckpoint> init = initWeights.isPresent()
        ? Optional.of(initCheckpoint(initWeights.get(), entry)) : Optional.empty();
    Optional<Path> releaseFile = release.isPresent()
        ? Optional.of(spec.downloads().fetch(release.get(), System.err)) : Optional.empty();

    // the folder is made once everything the run needs has been found
    RunDirectory run = new RunDirectory(out);
    if (!resume) {
      run.writeArgs(args);
    }

    if (cluster.isPresent()) {
      for (int task = 1; task < cluster.get().size(); task++) {
        ClusterServer.awaitReachable(cluster.get(), task, parallel.timeout());
      }
    }
    ConfigProto sessionConfig = replicas.sessionConfig(ConfigProto.newBuilder()
        .setOperationTimeoutInMs(cluster.isPresent() ? parallel.timeout().toMillis() : 0).build());
    try (GraphSession graphSession = cluster.isPresent()
            ? GraphSession.remote(target, sessionConfig, GraphSession.CLUSTER_CLOSE_TIMEOUT) : GraphSession.local(sessionConfig);
        BatchLoader train = trainLoader(data, model, spec,
            new BatchLoader.Shard(0, cluster.map(Cluster::size).orElse(1)));
        BatchLoader val = data.val().map(v -> new BatchLoader(v, model.evalTransform(cropPct), recipe.batchSize(),
            false, false, 0, threads)).orElse(null)) {
      Graph g = graphSession.graph();
      Session session = graphSession.session();
      // LayerNorm's forward value as oneDNN's kernel where TF fuses it in this process (not on a cluster, whose
      // workers' TF decides for itself); its gradient stays the element-wise rule's
      BuiltModel built = BuiltModel.build(entry, model.options(), -1, ModelGraph.inferenceOnly(g, recipe.seed(),
          ModelGraph.Inference.PLAIN.withFusedLayerNormWhereFused(cluster.isEmpty(), sessionConfig)));
      TrainingGraph graph = new TrainingGraph(built.model(), built.classifier(), built.images(), built.output(),
          classes.size(), recipe, teacher, replicas);
      Optional<ClusterChief> chief = cluster.map(c -> new ClusterChief(g, built.model().tf(), c,
          sliceShape(recipe, replicas, model)));
      if (cluster.isPresent()) {
        graph.limitStepTime(parallel.timeout());
        // Variables, evaluation and checkpoints on the chief; each replica already sits on its task.
        NativeGraphs.placeUnplaced(g, Cluster.device(0));
      }
      Trainer trainer = new Trainer(session, graph, train, Optional.ofNullable(val),
          model.checkpointMetadata("training run " + out.toAbsolutePath()).withEvalCropPct(cropPct), recipe, run,
          listener.asReporter(), log);
      trainer.saveLastEvery(spec.saveEverySteps());
      initializeOrLose(graph, session, cluster);
      long startStep = 0;
      if (resume) {
        startStep = trainer.restoreLast();
      } else if (init.isPresent()) {
        initFrom(init.get(), initWeights.get().ema(), model, session, graph, log);
      } else if (releaseFile.isPresent()) {
        initFromRelease(release.get(), releaseFile.get(), session, graph, log);
      }
      log.printf(Locale.ROOT, "%s: %,d parameters, %d classes, %dx%d, %d steps/epoch, lr %.3e (base %.1e x %d/512)%s%n",
          entry.name(), built.model().parameterCount(), classes.size(), model.options().imageSize(),
          model.options().imageSize(), train.batchesPerEpoch(), recipe.scaledLr(), recipe.lr(), recipe.batchSize(),
          replicas.count() > 1 ? ", " + replicas.count() + (replicas.placed() ? " replicas" : " chains")
              + " of batch " + replicas.slice(recipe.batchSize()) : "");
      // what was read (and what was skipped: a folder's .heic photos are not images this reader takes)
      log.println("Training on " + data.train().description());
      data.val().ifPresent(v -> log.println("Validating on " + v.description()));
      recipe.scheduleNotes().forEach(note -> log.println("note: " + note));
      List<EpochRecord> records;
      try {
        long firstStep = startStep;
        chief.ifPresent(c -> c.start(session, shared, firstStep, parallel.timeout()));
        // The workers are released however training ends (Ctrl-C, a non-finite loss), before the JVM may exit.
        records = trainer.fit(() -> chief.flatMap(c -> c.finish(session))
            .ifPresent(unreachable -> log.println("warning: " + unreachable)));
      } catch (TensorFlowException e) {
        // On an error the workers are not told: one may be dead, and the live ones see the chief go.
        throw cluster.isPresent() ? ClusterChief.lostTask(cluster.get(), e) : e;
      }
      if (train.skippedImages() > 0) {
        log.printf("Skipped %d unreadable images%n", train.skippedImages());
      }
      return new TrainingResult(out, records);
    }
  }

  /** The first run of a cluster session reaches every task: one that is gone fails it. */
  private static void initializeOrLose(TrainingGraph graph, Session session, Optional<Cluster> cluster) {
    try {
      graph.initialize(session);
    } catch (TensorFlowException e) {
      throw cluster.isPresent() ? ClusterChief.lostTask(cluster.get(), e) : e;
    }
  }

  /** A non-chief task: its shard of every batch into its queue, until the chief is done. */
  private static void produceShard(Cluster cluster, String target, Duration timeout, DataSpec.Loaded data,
      RunModel model, TrainSpec spec, SharedArguments arguments, PrintStream log) {
    RecipeConfig recipe = spec.recipe();
    ClusterServer.awaitReachable(cluster, 0, timeout);
    try (BatchLoader shard = trainLoader(data, model, spec,
        new BatchLoader.Shard(cluster.taskIndex(), cluster.size()))) {
      new ShardProducer(cluster, target, shard, arguments, recipe.epochs(),
          sliceShape(recipe, cluster.replicas(), model), timeout, log).run();
    }
  }

  /**
   * The training batches, or the shard of them that one task of a cluster loads: every task builds its shard as
   * the chief builds its own, from what {@link #sharedArguments} checks is the same on every task.
   */
  private static BatchLoader trainLoader(DataSpec.Loaded data, RunModel model, TrainSpec spec,
      BatchLoader.Shard shard) {
    RecipeConfig recipe = spec.recipe();
    return new BatchLoader(data.train(), model.trainTransform(spec.autoAugment(), spec.minScale()),
        recipe.batchSize(), true, TRAIN_DROPS_LAST, recipe.seed(), spec.threads(), shard);
  }

  /**
   * What every task of a cluster must run with for its shards to be slices of the chief's batches ({@link
   * #trainLoader}): the run's {@link #args} under their flag names, with the data as its {@link DataSpec#kind} and
   * the training set's size and classes, but not what may differ from host to host (the data's folder, the loader
   * threads) or what only the chief reads (the init weights, the teacher, the evaluation crop).
   */
  static SharedArguments sharedArguments(Map<String, Object> args, String dataKind, int trainingImages) {
    Map<String, String> shared = new LinkedHashMap<>();
    for (Map.Entry<String, Object> arg : args.entrySet()) {
      String key = arg.getKey();
      if (key.equals("data")) {
        shared.put("--data", dataKind);
      } else if (key.equals("classes")) {
        shared.put("training-set size", Integer.toString(trainingImages));
        shared.put("classes", String.valueOf(arg.getValue()));
      } else if (!NOT_SHARED.contains(key)) {
        Object value = asJsonValue(arg.getValue());
        shared.put("--" + key.replace('_', '-'), value == null ? null : String.valueOf(value));
      }
    }
    return new SharedArguments(shared);
  }

  private static Shape sliceShape(RecipeConfig recipe, Replicas replicas, RunModel model) {
    int size = model.options().imageSize();
    return Shape.of(replicas.slice(recipe.batchSize()), size, size, model.options().inChannels());
  }

  private static Optional<Teacher> teacher(Path dir, RunModel student) throws IOException {
    if (dir == null) {
      return Optional.empty();
    }
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(dir);
    RunModel teacher = RunModel.of(checkpoint);
    teacher.checkClasses(student.classes(), "the teacher " + dir);
    if (teacher.options().imageSize() != student.options().imageSize()) {
      throw new IllegalArgumentException("the teacher takes " + teacher.options().imageSize() + "px images, the student "
          + student.options().imageSize() + "px");
    }
    return Optional.of(new Teacher(scope -> teacher.entry().build(scope, teacher.options()),
        checkpoint.variablesPrefix().toString()));
  }

  /** The init checkpoint, which must hold weights of the model being trained. */
  private static StmzooCheckpoint initCheckpoint(Weights.Checkpoint weights, ModelEntry entry) throws IOException {
    Path path = weights.path();
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(path);
    checkpoint.requireEma(weights.ema()); // before training starts, not after the graph is built
    if (!checkpoint.metadata().model().equals(entry.name())) {
      throw new IllegalArgumentException("--init " + path + " holds " + checkpoint.metadata().model()
          + " weights, not " + entry.name());
    }
    return checkpoint;
  }

  /**
   * Fine-tuning from a checkpoint's model weights or their EMA (never its optimizer state): every variable of the
   * same shape is restored; a head trained on other classes ({@link RunModel#headMismatch}: another count, or the
   * same count of other names or in another order, whose outputs would answer for the wrong classes) keeps its
   * fresh initialisation; a size-dependent variable of a checkpoint made at another image size (a position
   * embedding, a relative-position table) is resized as the importer resizes it ({@link SizeAdaptation}, the
   * family's own resizing), as DeiT's {@code --finetune} interpolates {@code pos_embed} and drops only the head.
   * Any other shape difference is an error, not a silently fresh variable.
   */
  private static void initFrom(StmzooCheckpoint checkpoint, boolean ema, RunModel model, Session session,
      TrainingGraph graph, PrintStream log) {
    Optional<String> headMismatch = model.headMismatch(checkpoint.metadata().classNames(),
        checkpoint.metadata().numClasses());
    // a head of another count is left out by its shape (restored.head()); one of the same shape must be left out here
    KeyMap keyMap = ModelRegistry.keyMap(checkpoint.entry());
    boolean sameShapeOtherClasses = headMismatch.isPresent()
        && checkpoint.metadata().numClasses() == model.classes().size();
    List<ModelVariable> restoring = sameShapeOtherClasses
        ? graph.modelVariables().stream().filter(v -> !keyMap.isHead(v.path())).toList() : graph.modelVariables();
    SizeAdaptation.Restored restored = checkpoint.restoreAdapted(session, graph.model(), restoring, ema);
    graph.resetEma(session);
    log.println("Initialised from " + checkpoint.describe(ema)
        + headMismatch.map(why -> "; " + why + ": the head is re-initialised").orElse("")
        + (restored.head().isEmpty() ? "" : "; re-initialised (shape differs): " + String.join(", ",
            restored.head().stream().map(CheckpointShapes.Mismatch::describe).toList())));
    restored.notes().forEach(note -> log.println("note: " + note));
  }

  /** Fine-tuning from a published release, imported through the family's key map into the model variables. */
  private static void initFromRelease(Downloads.Release release, Path file, Session session, TrainingGraph graph,
      PrintStream log) throws IOException {
    WeightImporter.Plan plan = ModelImport.assign(release.model(), graph.model(), graph.modelVariables(),
        ReferenceCheckpoints.read(file), session);
    graph.resetEma(session);
    plan.notes().forEach(note -> log.println("note: " + note));
    log.println("Initialised from pretrained " + release.entry().tag() + " (" + file.getFileName() + ")");
  }

  /** What args.json records: enough to resume, and to read later what the run was. */
  private static Map<String, Object> args(RunModel model, TrainSpec spec, float cropPct, DataSpec.Loaded data) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("model", model.entry().name());
    args.put("image_size", model.options().imageSize());
    args.put("num_classes", model.classes().size());
    args.put("in_channels", model.options().inChannels());
    args.put("drop_path", model.options().dropPathOr(model.entry().defaultDropPath()));
    args.put("mean", model.entry().preprocessing().mean());
    args.put("std", model.entry().preprocessing().std());
    args.put("crop_pct", cropPct);
    args.put("scale", spec.minScale());
    // what eval rebuilds the validation set from (Evaluation): a folder, or a split drawn with the seed; folders
    // as typed (what the model card shows) and as real paths, which eval finds from any directory (DataSpec.located)
    String val = spec.data().val() == null ? null : spec.data().val().toString();
    args.put("data", spec.data().data());
    args.put("data_path", DataSpec.recorded(spec.data().data()));
    args.put("val", val);
    args.put("val_path", val == null ? null : DataSpec.recordedPath(val));
    args.put("val_split", spec.data().valSplit());
    // the limits' sizes: eval draws the same validation sample again with the seed (DataSpec.limited)
    args.put("limit_train", spec.data().limitTrain());
    args.put("limit_val", spec.data().limitVal());
    args.put("train_set", data.train().description());
    args.put("val_set", data.val().map(v -> v.description()).orElse(null));
    args.put("classes", model.classes());
    args.putAll(RecipeDescription.of(spec.recipe(), spec.autoAugment()));
    args.put("init", spec.init() instanceof Weights.Checkpoint c
        ? c.path() + (c.ema() ? " (EMA weights)" : "") : null);
    args.put("pretrained", spec.init() instanceof Weights.Pretrained p ? p.tag() : null);
    args.put("distill_teacher", spec.distillTeacher() == null ? null : spec.distillTeacher().toString());
    args.put("threads", spec.threads());
    args.put("replicas", spec.parallelism().replicas().count());
    return args;
  }

  /**
   * Resuming needs the run's {@code last} checkpoint; a fresh run needs a folder without one. Checked first, as it
   * needs only the folder (which it does not create).
   */
  private static void checkOutputFolder(Path out, boolean resume) throws IOException {
    // hasCheckpoint counts a .last.old that a crash between a save's two renames left (the trainer puts it back):
    // without it a resume would find nothing and a fresh run would delete it with its first save
    boolean hasRun = RunDirectory.hasCheckpoint(out, RunDirectory.LAST);
    if (resume && !hasRun) {
      throw new IllegalArgumentException("nothing to resume in " + out + " (no 'last' checkpoint)");
    }
    if (!resume && hasRun) {
      throw new IllegalArgumentException(out + " already holds a run; continue it with --resume or pick another"
          + " --output");
    }
  }

  /**
   * The evaluation crop a resumed run was started with, where the command does not give one: the model's default
   * may have changed since (DeiT's and PiT's went from 0.9 to 0.875), and a run goes on as it began.
   */
  private static float recordedCropPct(Map<String, Object> saved, float modelDefault) {
    return saved.get("crop_pct") instanceof Number n ? n.floatValue() : modelDefault;
  }

  /**
   * A resumed run trains on as args.json records it (it is not rewritten): the same model, data and validation
   * set, and the whole recipe (a different lr, EMA or augmentation would silently make another run). Keys an
   * older args.json lacks are not compared.
   */
  private static void checkResumable(Path run, Map<String, Object> saved, Map<String, Object> args) {
    List<String> was = new ArrayList<>();
    List<String> now = new ArrayList<>();
    for (Map.Entry<String, Object> arg : args.entrySet()) {
      String key = arg.getKey();
      Object value = asJsonValue(arg.getValue());
      if (REAL_PATHS.containsKey(key)) {
        String savedFolder = savedFolder(saved, key);
        String nowFolder = (String) args.get(REAL_PATHS.get(key));
        if (saved.containsKey(key) && !sameValue(savedFolder, nowFolder)) {
          was.add(key + " " + saved.get(key) + (String.valueOf(saved.get(key)).equals(savedFolder) ? ""
              : " (" + savedFolder + ")"));
          now.add(key + " " + value + (String.valueOf(value).equals(nowFolder) ? "" : " (" + nowFolder + ")"));
        }
      } else if (!RESUME_MAY_CHANGE.contains(key) && !REAL_PATHS.containsValue(key) && saved.containsKey(key)
          && !sameValue(saved.get(key), value)) {
        was.add(key + " " + saved.get(key));
        now.add(key + " " + value);
      }
    }
    if (!was.isEmpty()) {
      boolean limitedBefore = (args.get("limit_train") != null || args.get("limit_val") != null)
          && !saved.containsKey("limit_train") && !saved.containsKey("limit_val");
      throw new IllegalArgumentException("--resume: " + run + " was trained with " + String.join(", ", was)
          + "; now " + String.join(", ", now) + (limitedBefore
              // args.json recorded no limits before limits sampled by class: its limit took the first N images
              ? ": the run's limits took the first images, which this version no longer draws; start a new run"
                  + " from its weights with --init " + ShellWords.quote(run.resolve(RunDirectory.LAST))
              : ": resume with the same arguments"));
    }
  }

  /**
   * The real path a resumed run's folder {@code key} ({@code data} or {@code val}) is compared by: the recorded
   * real path while it exists; else (the folder moved, or an args.json written before real paths were recorded)
   * the form typed, resolved here as a resume typed as its start resolves it.
   */
  private static String savedFolder(Map<String, Object> saved, String key) {
    if (!(saved.get(key) instanceof String typed)) {
      return null;
    }
    String realPath = saved.get(REAL_PATHS.get(key)) instanceof String p ? p : null;
    String located = DataSpec.located(typed, realPath);
    return key.equals("data") ? DataSpec.recorded(located) : DataSpec.recordedPath(located);
  }

  /**
   * args.json gives numbers back as doubles: compare numbers by value (a float, written as its shortest decimal,
   * as a float), lists element by element, the rest by text.
   */
  private static boolean sameValue(Object saved, Object now) {
    if (saved instanceof Number a && now instanceof Number b) {
      return a instanceof Float || b instanceof Float ? a.floatValue() == b.floatValue()
          : a.doubleValue() == b.doubleValue();
    }
    if (saved instanceof List<?> a && now instanceof List<?> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return String.valueOf(saved).equals(String.valueOf(now));
  }

  /** An args value as args.json gives it back in kind: an array (mean, std) as a list. */
  private static Object asJsonValue(Object value) {
    if (!(value instanceof float[] values)) {
      return value;
    }
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }
}
