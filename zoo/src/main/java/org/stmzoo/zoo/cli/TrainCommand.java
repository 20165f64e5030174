package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.pipeline.BatchLoader;
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
import org.stmzoo.recipes.train.CheckpointShapes;
import org.stmzoo.recipes.train.ProgressReporter;
import org.stmzoo.recipes.train.Teacher;
import org.stmzoo.recipes.train.Trainer;
import org.stmzoo.recipes.train.TrainingGraph;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ModelImport;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;
import org.stmzoo.zoo.weights.WeightImporter;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code ./stmzoo train --model NAME --data PATH --epochs E --batch-size B --image-size S --output DIR [recipe]}:
 * DeiT's recipe, one graph, one session.run per step; see {@link TrainingGraph} and {@link Trainer}. Starts from
 * scratch, from an stmzoo checkpoint ({@code --init}: an import output or another run), from a published release
 * ({@code --pretrained TAG}), or continues {@code --output}'s run ({@code --resume}). The run's {@code last/} and
 * {@code best/} are stmzoo checkpoints that eval, export, predict and --init read as they are.
 */
final class TrainCommand implements Command {
  private final Map<String, String> env;

  TrainCommand() {
    this(System.getenv());
  }

  /** @param env the variables that configure --pretrained downloads (STMZOO_HOME, STMZOO_OFFLINE, ...) */
  TrainCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train or fine-tune a model on an image folder, Fashion-MNIST or CIFAR-10 (DeiT recipe)";
  }

  @Override
  public Options options() {
    Options options = new Options()
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("model name (./stmzoo list)").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S").desc("input size (default: the model's)").build())
        .addOption(Option.builder().longOpt("drop-path").hasArg().argName("P").desc("drop-path rate (default: the model's)").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").desc("run folder (default runs/MODEL)").build())
        .addOption(Option.builder().longOpt("resume").desc("continue the run in --output from its 'last' checkpoint").build())
        .addOption(Option.builder().longOpt("init").hasArg().argName("CHECKPOINT")
            .desc("start from an stmzoo checkpoint: an import output, a run folder (its best/, else last/) or RUN/best,"
                + " RUN/last; a head for another class count is re-initialised").build())
        .addOption(Option.builder().longOpt("pretrained").hasArg().argName("TAG")
            .desc("start from published weights (downloaded or cached, as export --pretrained): a tag of"
                + " ./stmzoo pretrained list, or with --model its suffix (in1k)").build())
        .addOption(Option.builder().longOpt("distill-teacher").hasArg().argName("CHECKPOINT")
            .desc("DeiT distillation from this stmzoo checkpoint (a run folder: its best weights)").build())
        .addOption(CliArgs.cropPctOption("the model's"))
        .addOption(Option.builder().longOpt("devices").hasArg().argName("N|LIST")
            .desc("data-parallel over N devices (GPUs when there are N, else CPU devices) or a list such as"
                + " gpu:0,gpu:1; the batch size is the global batch and must split evenly (default: one device)").build())
        .addOption(Option.builder().longOpt("threads").hasArg().argName("N").desc("data loader threads (default: cores)").build())
        .addOption(Option.builder().longOpt("no-progress").desc("no progress bar, epoch lines only (also when output is not a terminal)").build());
    DataArguments.add(options);
    DownloadArguments.add(options);
    ClusterArguments.add(options);
    return RecipeArguments.add(options);
  }

  @Override
  public int run(CommandLine line) throws IOException {
    boolean resume = line.hasOption("resume");
    if ((resume ? 1 : 0) + (line.hasOption("init") ? 1 : 0) + (line.hasOption("pretrained") ? 1 : 0) > 1) {
      throw new UsageException("give at most one of --resume, --init and --pretrained");
    }
    Optional<DownloadArguments.Release> release = line.hasOption("pretrained")
        ? Optional.of(DownloadArguments.release(line, env)) : Optional.empty();
    if (!line.hasOption("model") && release.isEmpty()) {
      throw new UsageException("--model is required");
    }
    ModelEntry entry = release.isPresent() ? release.get().model() : ModelRegistry.get(line.getOptionValue("model"));
    RecipeConfig recipe = RecipeArguments.parse(line, line.hasOption("distill-teacher"));
    float cropPct = CliArgs.cropPct(line, entry.preprocessing().cropPct());
    DataArguments.Data data = DataArguments.parse(line, recipe.seed());
    List<String> classes = data.train().classNames();
    Float dropPath = line.hasOption("drop-path") ? Float.parseFloat(line.getOptionValue("drop-path")) : null;
    RunModel model = RunModel.of(entry, CliArgs.positiveInt(line, "image-size", entry.defaultImageSize()),
        dropPath, classes);
    entry.checkImageSize(model.options().imageSize());
    Path out = Path.of(line.getOptionValue("output", "runs/" + entry.name()));
    int threads = CliArgs.positiveInt(line, "threads", Runtime.getRuntime().availableProcessors());
    String autoAugment = RecipeArguments.autoAugment(line);
    Optional<Cluster> cluster = ClusterArguments.parse(line, env);
    if (cluster.isPresent() && line.hasOption("devices")) {
      throw new UsageException("--devices and a cluster (--cluster or TF_CONFIG) do not combine: one device per task");
    }
    Replicas replicas = cluster.map(Cluster::replicas).orElseGet(() -> replicas(line, recipe.batchSize()));
    replicas.slice(recipe.batchSize());
    Duration clusterTimeout = ClusterArguments.timeout(line);
    String target = cluster.map(ClusterServer::start).orElse(null);
    if (cluster.isPresent() && !cluster.get().isChief()) {
      return produceShard(cluster.get(), target, clusterTimeout, data, model, autoAugment, line, recipe, threads);
    }
    Optional<Teacher> teacher = teacher(line, model);
    Optional<StmzooCheckpoint> init = line.hasOption("init")
        ? Optional.of(initCheckpoint(Path.of(line.getOptionValue("init")), entry)) : Optional.empty();
    Optional<Path> releaseFile = release.isPresent()
        ? Optional.of(DownloadArguments.fetch(line, env, release.get())) : Optional.empty();

    RunDirectory run = new RunDirectory(out);
    Map<String, Object> args = args(model, recipe, autoAugment, cropPct, data, line, threads);
    if (resume) {
      checkResumable(run, args);
    } else if (run.hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException(out + " already holds a run; continue it with --resume or pick another --output");
    } else {
      run.writeArgs(args);
    }

    if (cluster.isPresent()) {
      for (int task = 1; task < cluster.get().size(); task++) {
        ClusterServer.awaitReachable(cluster.get(), task, clusterTimeout);
      }
    }
    ConfigProto sessionConfig = replicas.sessionConfig(ConfigProto.newBuilder()
        .setOperationTimeoutInMs(cluster.isPresent() ? clusterTimeout.toMillis() : 0).build());
    try (GraphSession graphSession = cluster.isPresent()
            ? GraphSession.remote(target, sessionConfig, Duration.ofSeconds(10)) : GraphSession.local(sessionConfig);
        BatchLoader train = new BatchLoader(data.train(), model.trainTransform(autoAugment, RecipeArguments.minScale(line)), recipe.batchSize(), true,
            true, recipe.seed(), threads, new BatchLoader.Shard(0, cluster.map(Cluster::size).orElse(1)));
        BatchLoader val = data.val().map(v -> new BatchLoader(v, model.evalTransform(cropPct), recipe.batchSize(), false, false,
            0, threads)).orElse(null)) {
      Graph g = graphSession.graph();
      Session session = graphSession.session();
      BuiltModel built = BuiltModel.build(entry, model.options(), g, recipe.seed(), -1, true);
      TrainingGraph graph = new TrainingGraph(built.model(), built.classifier(), built.images(), built.output(),
          classes.size(), recipe, teacher, replicas);
      if (cluster.isPresent()) {
        graph.limitStepTime(clusterTimeout);
      }
      Optional<ClusterChief> chief = cluster.map(c -> new ClusterChief(g, built.model().tf(), c,
          sliceShape(recipe, replicas, model)));
      if (cluster.isPresent()) {
        // Variables, evaluation and checkpoints on the chief; each replica already sits on its task.
        NativeGraphs.placeUnplaced(g, Cluster.device(0));
      }
      Trainer trainer = new Trainer(session, graph, train, Optional.ofNullable(val),
          model.checkpointMetadata("training run " + out.toAbsolutePath()).withEvalCropPct(cropPct), recipe, run,
          line.hasOption("no-progress") || System.console() == null ? ProgressReporter.quiet()
              : ProgressReporter.console(), System.out);
      initializeOrLose(graph, session, cluster);
      if (resume) {
        trainer.restoreLast();
      } else if (init.isPresent()) {
        initFrom(init.get(), session, graph);
      } else if (releaseFile.isPresent()) {
        initFromRelease(release.get(), releaseFile.get(), session, graph);
      }
      System.out.printf(Locale.ROOT, "%s: %,d parameters, %d classes, %dx%d, %d steps/epoch, lr %.3e (base %.1e x %d/512)%n",
          entry.name(), built.model().parameterCount(), classes.size(), model.options().imageSize(),
          model.options().imageSize(), train.batchesPerEpoch(), recipe.scaledLr(), recipe.lr(), recipe.batchSize());
      List<EpochRecord> records;
      try {
        chief.ifPresent(c -> c.start(session, graph.completedSteps(session)));
        records = trainer.fit();
      } catch (TensorFlowException e) {
        // On an error the workers are not told: one may be dead, and the live ones see the chief go.
        throw cluster.isPresent() ? ClusterChief.lostTask(cluster.get(), e) : e;
      }
      chief.ifPresent(c -> c.finish(session));
      if (train.skippedImages() > 0) {
        System.out.printf("Skipped %d unreadable images%n", train.skippedImages());
      }
      report(out, records);
    }
    return 0;
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
  private static int produceShard(Cluster cluster, String target, Duration timeout, DataArguments.Data data,
      RunModel model, String autoAugment, CommandLine line, RecipeConfig recipe, int threads) {
    ClusterServer.awaitReachable(cluster, 0, timeout);
    try (BatchLoader shard = new BatchLoader(data.train(), model.trainTransform(autoAugment,
        RecipeArguments.minScale(line)), recipe.batchSize(), true, true, recipe.seed(), threads,
        new BatchLoader.Shard(cluster.taskIndex(), cluster.size()))) {
      new ShardProducer(cluster, target, shard, recipe.epochs(), sliceShape(recipe, cluster.replicas(), model),
          timeout, System.out).run();
    }
    return 0;
  }

  private static Shape sliceShape(RecipeConfig recipe, Replicas replicas, RunModel model) {
    int size = model.options().imageSize();
    return Shape.of(replicas.slice(recipe.batchSize()), size, size, model.options().inChannels());
  }

  /** {@code --devices}; a spec that does not parse or does not split the batch is a usage error. */
  private static Replicas replicas(CommandLine line, int batchSize) {
    if (!line.hasOption("devices")) {
      return Replicas.single();
    }
    try {
      Replicas replicas = Replicas.parse(line.getOptionValue("devices"));
      replicas.slice(batchSize);
      return replicas;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Optional<Teacher> teacher(CommandLine line, RunModel student) throws IOException {
    if (!line.hasOption("distill-teacher")) {
      return Optional.empty();
    }
    Path dir = Path.of(line.getOptionValue("distill-teacher"));
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

  /** The --init checkpoint, which must hold weights of the model being trained. */
  private static StmzooCheckpoint initCheckpoint(Path path, ModelEntry entry) throws IOException {
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(path);
    if (!checkpoint.metadata().model().equals(entry.name())) {
      throw new IllegalArgumentException("--init " + path + " holds " + checkpoint.metadata().model()
          + " weights, not " + entry.name());
    }
    return checkpoint;
  }

  /**
   * Fine-tuning from a checkpoint's model weights (never its optimizer state): every variable of the same shape
   * is restored, the others, a head for another class count, keep their fresh initialisation.
   */
  private static void initFrom(StmzooCheckpoint checkpoint, Session session, TrainingGraph graph) {
    List<String> skipped = CheckpointShapes.restoreMatching(session, graph.model(), graph.modelVariables(),
        checkpoint.variablesPrefix().toString());
    graph.resetEma(session);
    int classes = checkpoint.metadata().numClasses();
    String head = classes == graph.numClasses() ? ""
        : "; the checkpoint has " + classes + " classes, this run " + graph.numClasses() + ": the head is re-initialised";
    System.out.println("Initialised from " + checkpoint.describe(false) + head + (skipped.isEmpty() ? ""
        : "; re-initialised (shape differs): " + String.join(", ", skipped)));
  }

  /** Fine-tuning from a published release, imported through the family's key map into the model variables. */
  private static void initFromRelease(DownloadArguments.Release release, Path file, Session session,
      TrainingGraph graph) throws IOException {
    WeightImporter.Plan plan = ModelImport.assign(release.model(), graph.model(), graph.modelVariables(),
        ReferenceCheckpoints.read(file), session);
    graph.resetEma(session);
    plan.notes().forEach(note -> System.out.println("note: " + note));
    System.out.println("Initialised from pretrained " + release.entry().tag() + " (" + file.getFileName() + ")");
  }

  private static Map<String, Object> args(RunModel model, RecipeConfig recipe, String autoAugment, float cropPct,
      DataArguments.Data data, CommandLine line, int threads) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("model", model.entry().name());
    args.put("image_size", model.options().imageSize());
    args.put("num_classes", model.classes().size());
    args.put("in_channels", model.options().inChannels());
    args.put("drop_path", model.options().dropPathOr(model.entry().defaultDropPath()));
    args.put("mean", model.entry().preprocessing().mean());
    args.put("std", model.entry().preprocessing().std());
    args.put("crop_pct", cropPct);
    args.put("scale", RecipeArguments.minScale(line));
    args.put("data", line.getOptionValue("data"));
    args.put("train_set", data.train().description());
    args.put("val_set", data.val().map(v -> v.description()).orElse(null));
    args.put("classes", model.classes());
    args.putAll(RecipeArguments.describe(recipe, autoAugment));
    args.put("init", line.getOptionValue("init"));
    args.put("pretrained", line.getOptionValue("pretrained"));
    args.put("distill_teacher", line.getOptionValue("distill-teacher"));
    args.put("threads", threads);
    args.put("devices", line.getOptionValue("devices"));
    return args;
  }

  /** A resumed run must rebuild the same graph and data order. */
  private static void checkResumable(RunDirectory run, Map<String, Object> args) throws IOException {
    if (!run.hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException("nothing to resume in " + run.root() + " (no 'last' checkpoint)");
    }
    Map<String, Object> saved = run.readArgs();
    for (String key : List.of("model", "image_size", "classes", "batch_size", "epochs", "seed", "train_set")) {
      if (!sameValue(saved.get(key), args.get(key))) {
        throw new IllegalArgumentException("--resume: " + key + " was " + saved.get(key) + " in " + run.root()
            + ", now " + args.get(key) + "; resume with the same arguments");
      }
    }
  }

  /** args.json gives numbers back as doubles: compare numbers by value, the rest by text. */
  private static boolean sameValue(Object saved, Object now) {
    if (saved instanceof Number a && now instanceof Number b) {
      return a.doubleValue() == b.doubleValue();
    }
    return String.valueOf(saved).equals(String.valueOf(now));
  }

  static void report(Path out, List<EpochRecord> records) {
    records.stream().filter(EpochRecord::hasEval).mapToDouble(EpochRecord::evalTop1).max().ifPresent(best ->
        System.out.printf(Locale.ROOT, "Best eval top-1: %.2f%%%n", best));
    System.out.println("Results in " + out.toAbsolutePath() + ": summary.csv, curves.png, tensorboard/, "
        + "checkpoints last/ and best/ (tensorboard --logdir " + out.resolve("tensorboard") + ")");
  }
}
