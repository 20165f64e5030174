package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
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
import org.stmzoo.recipes.train.CheckpointShapes;
import org.stmzoo.recipes.train.ProgressReporter;
import org.stmzoo.recipes.train.Teacher;
import org.stmzoo.recipes.train.Trainer;
import org.stmzoo.recipes.train.TrainingGraph;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * {@code ./stmzoo train --model NAME --data PATH --epochs E --batch-size B --image-size S --output DIR [recipe]}:
 * DeiT's recipe, one graph, one session.run per step; see {@link TrainingGraph} and {@link Trainer}.
 */
final class TrainCommand implements Command {
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
            .desc("start from another run's weights (a run or checkpoint folder); a mismatched head is re-initialised").build())
        .addOption(Option.builder().longOpt("distill-teacher").hasArg().argName("RUN")
            .desc("DeiT distillation from this stmzoo run's best weights").build())
        .addOption(Option.builder().longOpt("threads").hasArg().argName("N").desc("data loader threads (default: cores)").build())
        .addOption(Option.builder().longOpt("no-progress").desc("no progress bar, epoch lines only (also when output is not a terminal)").build());
    DataArguments.add(options);
    return RecipeArguments.add(options);
  }

  @Override
  public int run(CommandLine line) throws IOException {
    String modelName = line.getOptionValue("model");
    if (modelName == null) {
      throw new UsageException("--model is required");
    }
    ModelEntry entry = ModelRegistry.get(modelName);
    RecipeConfig recipe = RecipeArguments.parse(line, line.hasOption("distill-teacher"));
    DataArguments.Data data = DataArguments.parse(line, recipe.seed());
    List<String> classes = data.train().classNames();
    Float dropPath = line.hasOption("drop-path") ? Float.parseFloat(line.getOptionValue("drop-path")) : null;
    RunModel model = RunModel.of(entry, ModelArguments.intOption(line, "image-size", entry.defaultImageSize()),
        dropPath, classes);
    entry.checkImageSize(model.options().imageSize());
    Path out = Path.of(line.getOptionValue("output", "runs/" + entry.name()));
    int threads = ModelArguments.intOption(line, "threads", Runtime.getRuntime().availableProcessors());
    String autoAugment = RecipeArguments.autoAugment(line);
    Optional<Teacher> teacher = teacher(line, model);

    RunDirectory run = new RunDirectory(out);
    boolean resume = line.hasOption("resume");
    Map<String, Object> args = args(model, recipe, autoAugment, data, line, threads);
    if (resume) {
      checkResumable(run, args);
    } else if (run.hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException(out + " already holds a run; continue it with --resume or pick another --output");
    } else {
      run.writeArgs(args);
    }

    try (Graph g = new Graph(); Session session = new Session(g);
        BatchLoader train = new BatchLoader(data.train(), model.trainTransform(autoAugment, RecipeArguments.minScale(line)), recipe.batchSize(), true,
            true, recipe.seed(), threads);
        BatchLoader val = data.val().map(v -> new BatchLoader(v, model.evalTransform(), recipe.batchSize(), false, false,
            0, threads)).orElse(null)) {
      BuiltModel built = BuiltModel.build(entry, model.options(), g, recipe.seed(), -1, true);
      TrainingGraph graph = new TrainingGraph(built.model(), built.classifier(), built.images(), built.output(),
          classes.size(), recipe, teacher);
      Trainer trainer = new Trainer(session, graph, train, Optional.ofNullable(val), classes, recipe, run,
          line.hasOption("no-progress") || System.console() == null ? ProgressReporter.quiet()
              : ProgressReporter.console(), System.out);
      graph.initialize(session);
      if (resume) {
        trainer.restoreLast();
      } else if (line.hasOption("init")) {
        initFrom(Path.of(line.getOptionValue("init")), session, graph);
      }
      System.out.printf(Locale.ROOT, "%s: %,d parameters, %d classes, %dx%d, %d steps/epoch, lr %.3e (base %.1e x %d/512)%n",
          entry.name(), built.model().parameterCount(), classes.size(), model.options().imageSize(),
          model.options().imageSize(), train.batchesPerEpoch(), recipe.scaledLr(), recipe.lr(), recipe.batchSize());
      List<EpochRecord> records = trainer.fit();
      if (train.skippedImages() > 0) {
        System.out.printf("Skipped %d unreadable images%n", train.skippedImages());
      }
      report(out, records);
    }
    return 0;
  }

  private static Optional<Teacher> teacher(CommandLine line, RunModel student) throws IOException {
    if (!line.hasOption("distill-teacher")) {
      return Optional.empty();
    }
    Path dir = Path.of(line.getOptionValue("distill-teacher"));
    RunModel teacher = RunModel.read(dir);
    student.checkClasses(teacher.classes(), "the teacher " + dir);
    if (teacher.options().imageSize() != student.options().imageSize()) {
      throw new IllegalArgumentException("the teacher takes " + teacher.options().imageSize() + "px images, the student "
          + student.options().imageSize() + "px");
    }
    String prefix = RunModel.checkpointPrefix(dir, RunDirectory.BEST).toString();
    return Optional.of(new Teacher(scope -> teacher.entry().build(scope, teacher.options()), prefix));
  }

  private static void initFrom(Path dir, Session session, TrainingGraph graph) throws IOException {
    String prefix = RunModel.checkpointPrefix(dir, RunDirectory.BEST).toString();
    List<String> skipped = CheckpointShapes.restoreMatching(session, graph.model(), graph.modelVariables(), prefix);
    graph.resetEma(session);
    System.out.println("Initialised from " + prefix + (skipped.isEmpty() ? ""
        : "; re-initialised (shape differs): " + String.join(", ", skipped)));
  }

  private static Map<String, Object> args(RunModel model, RecipeConfig recipe, String autoAugment,
      DataArguments.Data data, CommandLine line, int threads) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("model", model.entry().name());
    args.put("image_size", model.options().imageSize());
    args.put("num_classes", model.classes().size());
    args.put("in_channels", model.options().inChannels());
    args.put("drop_path", model.options().dropPathOr(model.entry().defaultDropPath()));
    args.put("mean", model.entry().preprocessing().mean());
    args.put("std", model.entry().preprocessing().std());
    args.put("crop_pct", model.entry().preprocessing().cropPct());
    args.put("scale", RecipeArguments.minScale(line));
    args.put("data", line.getOptionValue("data"));
    args.put("train_set", data.train().description());
    args.put("val_set", data.val().map(v -> v.description()).orElse(null));
    args.put("classes", model.classes());
    args.putAll(RecipeArguments.describe(recipe, autoAugment));
    args.put("init", line.getOptionValue("init"));
    args.put("distill_teacher", line.getOptionValue("distill-teacher"));
    args.put("threads", threads);
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
