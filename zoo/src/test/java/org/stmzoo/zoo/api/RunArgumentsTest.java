package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * What a training run records in args.json and how eval and resume read it: eval without data scores the run's
 * validation set (never its training images), a resume must repeat the recipe, and an occupied output folder is
 * refused before anything is loaded.
 */
class RunArgumentsTest {
  private static final String MODEL = "u-convnext-micro";
  private static final int SIZE = 32;

  @TempDir
  Path tmp;

  /** A recipe without augmentation or EMA: one epoch of batch 4. */
  private static RecipeConfig plainRecipe(double lr, boolean modelEma) {
    return new RecipeConfig(1, 4, lr, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0, 0, 0.5, 0, modelEma, 0.5, false,
        RecipeConfig.Distillation.none(), 0);
  }

  private static TrainSpec trainSpec(DataSpec data, Path output) {
    return TrainSpec.of(MODEL, data, output, 1, 4).withImageSize(SIZE).withRecipe(plainRecipe(5e-3, false))
        .withAugmentation(null, 1.0f).withCropPct(1.0f).withThreads(1);
  }

  private static TrainSpec resumed(TrainSpec s) {
    return new TrainSpec(s.model(), s.init(), true, s.data(), s.imageSize(), s.dropPath(), s.output(), s.recipe(),
        s.autoAugment(), s.minScale(), s.cropPct(), s.distillTeacher(), s.threads(), s.downloads(), s.parallelism(),
        s.saveEverySteps());
  }

  /** One epoch of {@code spec}, its log discarded. */
  private static void train(TrainSpec spec) throws IOException {
    Training.run(spec, TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream()));
  }

  @Test
  void aRunRecordsItsValidationSplitWhichEvalScoresByDefault() throws IOException {
    Path data = StmzooTest.tinyFolder(tmp.resolve("shapes"), 6);
    Path run = tmp.resolve("run");
    train(trainSpec(DataSpec.folder(data).withValSplit(0.25), run));

    Map<String, Object> args = new RunDirectory(run).readArgs();
    assertThat(args).containsEntry("data", data.toString()).containsEntry("val", null)
        .containsEntry("val_split", 0.25);
    // 6 images a class, round(6 x 0.25) = 2 of each held out: the 4 images training validated on, not all 12
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    EvalResult result = Evaluation.run(EvalSpec.of(run), new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(result.images()).isEqualTo(4);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("on validation part of image folder " + data
        + " (split 0.250, seed 0) (4 images, 2 classes)");
  }

  @Test
  void evalScoresTheValidationSampleARunsLimitTookUnlessGivenItsOwnLimitOrData() throws IOException {
    Path data = StmzooTest.tinyFolder(tmp.resolve("shapes"), 6);
    Path run = tmp.resolve("run");
    train(trainSpec(DataSpec.folder(data).withValSplit(0.5).withLimits(null, 3), run));

    Map<String, Object> args = new RunDirectory(run).readArgs();
    assertThat(args).containsEntry("limit_train", null).containsEntry("limit_val", 3);
    // the 6 held-out images, of which training validated on a sample of 3: eval scores those 3
    assertThat(Evaluation.run(EvalSpec.of(run), new PrintStream(PrintStream.nullOutputStream())).images())
        .isEqualTo(3);
    assertThat(StmzooTest.evalLog(EvalSpec.of(run))).contains(" on " + args.get("val_set") + " (crop-pct");
    assertThat(Evaluation.run(EvalSpec.of(run).withLimit(5), new PrintStream(PrintStream.nullOutputStream()))
        .images()).isEqualTo(5);
    assertThat(Evaluation.run(EvalSpec.of(run).withData(data.toString()),
        new PrintStream(PrintStream.nullOutputStream())).images()).isEqualTo(12);

    // a run whose args.json predates stratified limits (no limit keys, its sample described as the first images) is
    // not resumed on another sample, and the refusal says why and what to do instead of "the same arguments"
    RunDirectory directory = new RunDirectory(run);
    Map<String, Object> old = new java.util.LinkedHashMap<>(directory.readArgs());
    old.remove("limit_train");
    old.remove("limit_val");
    old.put("val_set", "3 images of validation part of image folder " + data);
    directory.writeArgs(old);
    TrainSpec again = resumed(trainSpec(DataSpec.folder(data).withValSplit(0.5).withLimits(null, 3), run));
    assertThatThrownBy(() -> train(again)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was trained with val_set 3 images of validation part")
        .hasMessageEndingWith(": the run's limits took the first images, which this version no longer draws; start"
            + " a new run from its weights with --init " + run.resolve(RunDirectory.LAST));
  }

  @Test
  void aResumeMustRepeatTheRecipeAndTheValidationSet() throws IOException {
    Path data = StmzooTest.tinyFolder(tmp.resolve("shapes"), 6);
    Path run = tmp.resolve("run");
    TrainSpec spec = trainSpec(DataSpec.folder(data).withValSplit(0.25), run);
    train(spec);

    TrainSpec otherRecipe = resumed(spec.withRecipe(plainRecipe(1e-3, true)).withAugmentation(null, 0.5f));
    assertThatThrownBy(() -> train(otherRecipe)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--resume: " + run + " was trained with scale 1.0, lr 0.005, scaled_lr ")
        .hasMessageContaining(", model_ema false; now scale 0.5, lr 0.001, scaled_lr ")
        .hasMessageEndingWith(", model_ema true: resume with the same arguments")
        .message().doesNotContain("epochs").doesNotContain("crop_pct").doesNotContain("mean");
    TrainSpec otherSplit = resumed(trainSpec(DataSpec.folder(data).withValSplit(0.5), run));
    assertThatThrownBy(() -> train(otherSplit)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("val_split 0.25").hasMessageContaining("now val_split 0.5");

    // the same arguments (a float crop, scale and drop path, the mean and std arrays read back from JSON compare
    // equal) on another number of loader threads resume: the one epoch is already done
    TrainingResult again = Training.run(resumed(spec.withThreads(2)), TrainingListener.none(),
        new PrintStream(PrintStream.nullOutputStream()));
    assertThat(again.epochs()).hasSize(1);

    // a run started when the model's default crop was another (DeiT's and PiT's were 0.9) resumes without
    // --crop-pct: it goes on with the crop args.json records, not today's default
    RunDirectory directory = new RunDirectory(run);
    Map<String, Object> recorded = new java.util.LinkedHashMap<>(directory.readArgs());
    recorded.put("crop_pct", 0.9);
    directory.writeArgs(recorded);
    TrainSpec s = resumed(spec);
    TrainSpec noCrop = new TrainSpec(s.model(), s.init(), true, s.data(), s.imageSize(), s.dropPath(), s.output(),
        s.recipe(), s.autoAugment(), s.minScale(), null, s.distillTeacher(), s.threads(), s.downloads(),
        s.parallelism(), s.saveEverySteps());
    assertThat(Training.run(noCrop, TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream()))
        .epochs()).hasSize(1);
  }

  /**
   * A resume of a run that has done its epochs says so and returns the run's records without building the training
   * graph (whose first line, the parameter count, it used to print first) or touching the checkpoint.
   */
  @Test
  void aResumeOfAFinishedRunStopsBeforeBuildingTheTrainingGraph() throws IOException {
    Path data = StmzooTest.tinyFolder(tmp.resolve("shapes"), 6);
    Path run = tmp.resolve("run");
    TrainSpec spec = trainSpec(DataSpec.folder(data).withValSplit(0.25), run);
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    TrainingResult trained = Training.run(spec, TrainingListener.none(),
        new PrintStream(first, true, StandardCharsets.UTF_8));
    assertThat(first.toString(StandardCharsets.UTF_8)).contains(MODEL + ": ").contains(" parameters, ");
    Path last = run.resolve(RunDirectory.LAST);
    Map<Path, FileTime> before = modificationTimes(last);

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainingResult again = Training.run(spec.withResume(true), TrainingListener.none(),
        new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(again.epochs()).isEqualTo(trained.epochs()).hasSize(1);
    assertThat(log.toString(StandardCharsets.UTF_8)).isEqualTo("Nothing to resume: the run already finished its 1"
        + " epoch (step 2); to train longer, start a new run from its weights with --init " + last
        + System.lineSeparator());
    assertThat(modificationTimes(last)).isEqualTo(before);
  }

  /** The modification time of each file of {@code folder}. */
  private static Map<Path, FileTime> modificationTimes(Path folder) throws IOException {
    Map<Path, FileTime> times = new java.util.TreeMap<>();
    try (var files = Files.list(folder)) {
      for (Path f : files.toList()) {
        times.put(f.getFileName(), Files.getLastModifiedTime(f));
      }
    }
    return times;
  }

  @Test
  void aRunRecordsItsFoldersAsTypedAndAsRealPathsWhichEvalFindsFromAnyDirectory() throws IOException {
    Path train = StmzooTest.tinyFolder(tmp.resolve("photos").resolve("train-set"), 3);
    Path val = StmzooTest.tinyFolder(tmp.resolve("photos").resolve("val-set"), 2);
    // the folders as typed in this directory (through ..): args.json used to record them so, and eval resolved
    // them against its own directory (the Java test cannot change directory, only show what is recorded)
    Path here = Path.of("").toAbsolutePath();
    Path typedTrain = here.relativize(train);
    Path typedVal = here.relativize(val);
    assertThat(typedTrain.isAbsolute()).isFalse();
    Path run = tmp.resolve("run");
    TrainSpec spec = trainSpec(DataSpec.folder(typedTrain).withVal(typedVal), run);
    train(spec);

    RunDirectory directory = new RunDirectory(run);
    Map<String, Object> args = directory.readArgs();
    // as typed (what the model card shows: no host's absolute paths), and as real paths
    assertThat(args).containsEntry("data", typedTrain.toString()).containsEntry("val", typedVal.toString())
        .containsEntry("data_path", train.toRealPath().toString())
        .containsEntry("val_path", val.toRealPath().toString());
    assertThat(StmzooTest.evalLog(EvalSpec.of(run)))
        .contains(" on image folder " + val.toRealPath() + " (4 images, 2 classes)");
    // a resume typed as the start was compares equal
    assertThat(Training.run(resumed(spec), TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream()))
        .epochs()).hasSize(1);
    // other folders, while the recorded ones are there, are refused, by their real paths
    Path other = StmzooTest.tinyFolder(tmp.resolve("other"), 3);
    TrainSpec otherData = resumed(trainSpec(DataSpec.folder(here.relativize(other)).withVal(typedVal), run));
    assertThatThrownBy(() -> train(otherData)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was trained with data " + typedTrain + " (" + train.toRealPath() + "), ")
        .hasMessageContaining("; now data " + here.relativize(other) + " (" + other.toRealPath() + "), ");

    // the project folder moved, or the data mounted elsewhere: the recorded real paths are gone, and the folders
    // typed as at the start are read in the current directory, by eval and by a resume
    Map<String, Object> moved = new LinkedHashMap<>(args);
    moved.put("data_path", tmp.resolve("moved-away").resolve("train-set").toString());
    moved.put("val_path", tmp.resolve("moved-away").resolve("val-set").toString());
    directory.writeArgs(moved);
    assertThat(StmzooTest.evalLog(EvalSpec.of(run)))
        .contains(" on image folder " + typedVal + " (4 images, 2 classes)");
    assertThat(Training.run(resumed(spec), TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream()))
        .epochs()).hasSize(1);
    assertThatThrownBy(() -> train(otherData)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("now data " + here.relativize(other));

    // a run recorded before: relative paths and no real paths, resolved in the current directory as they always
    // were, by eval and by a resume typed as its start
    Map<String, Object> old = new LinkedHashMap<>(args);
    old.remove("data_path");
    old.remove("val_path");
    directory.writeArgs(old);
    assertThat(StmzooTest.evalLog(EvalSpec.of(run)))
        .contains(" on image folder " + typedVal + " (4 images, 2 classes)");
    assertThat(Training.run(resumed(spec), TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream()))
        .epochs()).hasSize(1);
    // names of built-in sets, and folders that are not there, stay as they are
    assertThat(DataSpec.recorded("fashion-mnist")).isEqualTo("fashion-mnist");
    assertThat(DataSpec.recorded("fashion-mnist-demo")).isEqualTo("fashion-mnist-demo");
    assertThat(DataSpec.recorded("cifar10:" + typedTrain)).isEqualTo("cifar10:" + train.toRealPath());
    assertThat(DataSpec.recorded("no-such-folder")).isEqualTo("no-such-folder");
    assertThat(DataSpec.located("fashion-mnist", "fashion-mnist")).isEqualTo("fashion-mnist");
    assertThat(DataSpec.located("cifar10:here", "cifar10:" + train.toRealPath()))
        .isEqualTo("cifar10:" + train.toRealPath());
    assertThat(DataSpec.located("cifar10:here", "cifar10:/no/such/folder")).isEqualTo("cifar10:here");
  }

  /** {@code run/last}: a freshly initialised checkpoint classifying circle and square, and {@code args}. */
  private Path fakeRun(String name, Map<String, Object> args) throws IOException {
    Path run = tmp.resolve(name);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(MODEL), new ModelOptions(2, 3, SIZE, null), graph, 0L,
          -1, true);
      session.run(built.model().initializer());
      StmzooCheckpoint.write(run.resolve(RunDirectory.LAST), session, built,
          StmzooCheckpoint.metadataFor(built, List.of("circle", "square"), "test"));
    }
    new RunDirectory(run).writeArgs(args);
    return run;
  }

  /** args.json as a run before val and val_split were recorded wrote it: the data and the seed. */
  private static Map<String, Object> oldArgs(Path data) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("model", MODEL);
    args.put("data", data.toString());
    args.put("seed", 0);
    return args;
  }

  @Test
  void evalRefusesToDefaultToARunsTrainingImagesAndReadsTheValFolderOfATrainValRoot() throws IOException {
    Path plain = StmzooTest.tinyFolder(tmp.resolve("plain"), 3);
    Path plainRun = fakeRun("plain-run", oldArgs(plain));
    assertThatThrownBy(() -> Evaluation.run(EvalSpec.of(plainRun), new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("give the data: the run " + plainRun + " has no validation set (its args.json records no --val"
            + " or --val-split, and " + plain + " holds no train/ and val/), so all of " + plain
            + " is training images");

    Path root = tmp.resolve("root");
    StmzooTest.tinyFolder(root.resolve("train"), 3);
    StmzooTest.tinyFolder(root.resolve("val"), 2);
    // given explicitly, the root is its val folder (classes circle and square), not two classes "train" and "val"
    assertThat(StmzooTest.evalLog(EvalSpec.of(plainRun).withData(root.toString())))
        .contains(" on image folder " + root.resolve("val") + " (4 images, 2 classes)");
    // and a run that trained on it validated on root/val, which eval then defaults to
    assertThat(StmzooTest.evalLog(EvalSpec.of(fakeRun("root-run", oldArgs(root)))))
        .contains(" on image folder " + root.resolve("val") + " (4 images, 2 classes)");

    Map<String, Object> withValFolder = oldArgs(plain);
    withValFolder.put("val", root.resolve("val").toString());
    withValFolder.put("val_split", null);
    assertThat(StmzooTest.evalLog(EvalSpec.of(fakeRun("val-run", withValFolder))))
        .contains(" on image folder " + root.resolve("val") + " (4 images, 2 classes)");
  }

  /** How many images of each class {@code spec} scores (the confusion matrix's row sums). */
  private static int[] imagesPerClass(EvalSpec spec) throws IOException {
    int[][] confusion = Evaluation.run(spec, new PrintStream(PrintStream.nullOutputStream())).confusion();
    int[] images = new int[confusion.length];
    for (int label = 0; label < confusion.length; label++) {
      images[label] = Arrays.stream(confusion[label]).sum();
    }
    return images;
  }

  @Test
  void evalsLimitScoresAClassStratifiedSampleNotTheFirstClass() throws IOException {
    Path shapes = StmzooTest.tinyFolder(tmp.resolve("shapes"), 6);
    Path run = fakeRun("run", oldArgs(tmp.resolve("elsewhere")));
    // the folder lists 6 circles, then 6 squares: the first 3 would all be circles
    assertThat(imagesPerClass(EvalSpec.of(run).withData(shapes.toString()).withLimit(3)))
        .containsExactlyInAnyOrder(2, 1);
    assertThat(StmzooTest.evalLog(EvalSpec.of(run).withData(shapes.toString()).withLimit(3)))
        .contains(" on 3 images, a class-stratified sample (seed 0) of image folder " + shapes);
  }

  @Test
  void theTasksOfAClusterShareTheDataAndRecipeButNotPathsThreadsOrInit() {
    Map<String, Object> chief = new LinkedHashMap<>();
    chief.put("model", MODEL);
    chief.put("mean", new float[] {0.5f, 0.5f, 0.5f});
    chief.put("crop_pct", 0.875f);
    chief.put("data", "photos");
    chief.put("data_path", "/host-a/photos");
    chief.put("val", null);
    chief.put("val_path", null);
    chief.put("val_split", 0.1);
    chief.put("train_set", "90 images of image folder /host-a/photos");
    chief.put("classes", List.of("cat", "dog"));
    chief.put("epochs", 2);
    chief.put("seed", 0L);
    chief.put("init", "/host-a/runs/x/best");
    chief.put("threads", 16);
    chief.put("distill_teacher", "/host-a/runs/teacher/best");
    chief.put("distill_type", "hard");
    chief.put("distill_alpha", 0.5);
    chief.put("distill_tau", 1.0);
    Map<String, Object> worker = new LinkedHashMap<>(chief);
    worker.put("data", "/mnt/photos");
    worker.put("data_path", "/mnt/photos");
    worker.put("train_set", "90 images of image folder /host-b/photos");
    worker.put("crop_pct", 0.9f); // a resumed chief's recorded crop
    worker.put("init", null);
    worker.put("threads", 4);
    // the teacher runs on the chief: a worker is started without it, and so with distillation "none"
    worker.put("distill_teacher", null);
    worker.put("distill_type", "none");
    assertThat(Training.sharedArguments(worker, "image folder", 90)
        .differences(Training.sharedArguments(chief, "image folder", 90), 1)).isEmpty();

    worker.put("seed", 7L);
    worker.put("val_split", null);
    assertThat(Training.sharedArguments(worker, "image folder", 100)
        .differences(Training.sharedArguments(chief, "image folder", 90), 1))
        .hasValue("task 1's --val-split none differs from the chief's 0.1, training-set size 100 from 90, --seed 7"
            + " from 0");
    assertThat(Training.sharedArguments(chief, "fashion-mnist-demo", 90)
        .differences(Training.sharedArguments(chief, "fashion-mnist", 90), 1))
        .hasValue("task 1's --data fashion-mnist-demo differs from the chief's fashion-mnist");
  }

  @Test
  void anOccupiedOrEmptyOutputIsRefusedBeforeTheDataIsRead() throws IOException {
    Path missingData = tmp.resolve("no-such-data");
    Path occupied = fakeRun("occupied", oldArgs(missingData));
    assertThatThrownBy(() -> Training.run(trainSpec(DataSpec.folder(missingData), occupied), TrainingListener.none(),
        new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(occupied + " already holds a run; continue it with --resume or pick another --output");

    // a crash between a checkpoint write's two renames leaves .last.old alone: still a run, which the refused
    // command leaves as it is (its own trainer puts it back on --resume)
    Path halfRenamed = fakeRun("half-renamed", oldArgs(missingData));
    java.nio.file.Files.move(halfRenamed.resolve(RunDirectory.LAST), halfRenamed.resolve(".last.old"));
    assertThatThrownBy(() -> Training.run(trainSpec(DataSpec.folder(missingData), halfRenamed),
        TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds a run");
    assertThat(halfRenamed.resolve(".last.old").resolve("stmzoo-checkpoint.json")).exists();
    assertThat(halfRenamed.resolve(RunDirectory.LAST)).doesNotExist();

    Path empty = tmp.resolve("empty");
    assertThatThrownBy(() -> Training.run(resumed(trainSpec(DataSpec.folder(missingData), empty)),
        TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nothing to resume in " + empty + " (no 'last' checkpoint)");
    assertThat(empty).as("a refused run makes no folder").doesNotExist();

    // with a free output the data is what fails
    assertThatThrownBy(() -> Training.run(trainSpec(DataSpec.folder(missingData), tmp.resolve("free")),
        TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("data folder " + missingData + " does not exist");
  }
}
