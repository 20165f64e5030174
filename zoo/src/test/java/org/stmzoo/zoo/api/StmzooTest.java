package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.ImageHeader;
import org.stmzoo.export.SavedModelExporter.ExportResult;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputLimitException;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.index.Indices;

/** The Java API end to end at 32x32: random init, features, fine-tuning with a listener, export and reload. */
class StmzooTest {
  private static final String MODEL = "u-convnext-micro";
  private static final int SIZE = 32;
  /** u-convnext-micro's head: a 1x1 conv from 256 to 1.5 x 256 channels, then the pool. */
  private static final int FEATURES = 384;

  @TempDir
  Path tmp;

  @Test
  void aRandomModelClassifiesAPathBytesAndABufferedImageAlike() throws IOException {
    BufferedImage image = shapeImage(true, new Random(3));
    Path file = tmp.resolve("image.png");
    ImageIO.write(image, "png", file.toFile());
    List<String> classes = List.of("circle", "square", "other");
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(classes))) {
      assertThat(model.name()).isEqualTo(MODEL);
      assertThat(model.imageSize()).isEqualTo(SIZE);
      List<Prediction> top = model.classify(file, 2);
      assertThat(top).hasSize(2);
      assertThat(top.get(0).probability()).isGreaterThanOrEqualTo(top.get(1).probability());
      assertThat(classes).contains(top.get(0).label());
      assertThat(top.get(0).label()).isEqualTo(classes.get(top.get(0).index()));
      List<Prediction> all = model.classify(Files.readAllBytes(file), 10);
      assertThat(all).hasSize(3);
      assertThat(all.stream().mapToDouble(Prediction::probability).sum()).isCloseTo(1.0, within(1e-5));
      assertThat(all.subList(0, 2)).isEqualTo(top);
      assertThat(model.classify(image, 2)).isEqualTo(top);

      float[] features = model.features(file);
      assertThat(features).hasSize(FEATURES);
      assertThat(model.features(image)).containsExactly(features);
      assertThat(model.features(shapeImage(false, new Random(4)))).isNotEqualTo(features);
      assertThatThrownBy(() -> model.classify(new byte[] {1, 2, 3}, 1)).isInstanceOf(IOException.class)
          .hasMessageContaining("not an image in a known format");
    }
    try (StmzooModel same = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(classes));
        StmzooModel again = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
            .withClassNames(classes))) {
      assertThat(same.features(file)).as("the seed fixes the initialisation").containsExactly(again.features(file));
    }
  }

  /**
   * logits() of an already-normalised batch: the images are independent rows, and the export of the same model
   * (which gets the batch mapped back to 0-255 pixels and normalises it in its graph) gives the same logits.
   */
  @Test
  void logitsOfANormalisedBatchAreTheSameInProcessAndFromTheExport() throws IOException {
    Preprocessing p = ModelRegistry.get(MODEL).preprocessing();
    float[] values = new float[2 * SIZE * SIZE * 3];
    Random random = new Random(11);
    for (int i = 0; i < values.length; i++) {
      values[i] = (random.nextInt(256) / 255f - p.mean()[i % 3]) / p.std()[i % 3];
    }
    FloatNdArray batch = NdArrays.wrap(Shape.of(2, SIZE, SIZE, 3), DataBuffers.of(values, true, false));
    List<String> classes = List.of("a", "b", "c");
    float[][] logits;
    Path exported;
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(classes))) {
      logits = model.logits(batch);
      assertThat(logits).hasDimensions(2, 3);
      assertThat(logits[0]).isNotEqualTo(logits[1]);
      assertThat(model.logits(batch.slice(Indices.range(1, 2)))[0]).as("the second image alone")
          .containsExactly(logits[1], within(1e-5f));
      assertThatThrownBy(() -> model.logits(NdArrays.ofFloats(Shape.of(1, SIZE, SIZE, 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the input is [1, 32, 32, 1]; u-convnext-micro takes a preprocessed NHWC batch"
              + " [batch, 32, 32, 3]");
      exported = model.export(tmp.resolve("export"));
    }
    try (StmzooModel export = Stmzoo.load(exported)) {
      float[][] served = export.logits(batch);
      for (int b = 0; b < 2; b++) {
        assertThat(served[b]).containsExactly(logits[b], within(1e-4f));
      }
      assertThatThrownBy(() -> export.logits(NdArrays.ofFloats(Shape.of(1, 16, 16, 3))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the input is [1, 16, 16, 3]");
    }
  }

  @Test
  void speedPresetsRunTheSameFunction() throws IOException {
    BufferedImage image = shapeImage(true, new Random(5));
    float[] plain;
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE))) {
      plain = model.features(image);
    }
    for (InferenceSpeed speed : List.of(InferenceSpeed.latency(2), InferenceSpeed.throughput(2),
        InferenceSpeed.batches(2))) {
      try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
          .withSpeed(speed))) {
        assertThat(model.features(image)).as("%s", speed).containsExactly(plain, within(1e-4f));
      }
    }
    // attention's kernel is whichever the process's probe found faster (it depends on the CPU)
    boolean tfKernel = org.stmzoo.layers.core.AttentionKernelProbe.tfKernelFaster(InferenceSpeed.latency(2).session());
    assertThat(InferenceSpeed.latency(2).graph())
        .isEqualTo(new org.stmzoo.layers.core.ModelGraph.Inference(2, 1, true, tfKernel));
    assertThat(InferenceSpeed.throughput(2).graph())
        .isEqualTo(new org.stmzoo.layers.core.ModelGraph.Inference(1, 1, true, tfKernel));
    assertThat(InferenceSpeed.batches(2).graph())
        .isEqualTo(new org.stmzoo.layers.core.ModelGraph.Inference(1, 2, true, tfKernel));
    assertThat(InferenceSpeed.DEFAULT.graph().tfAttentionKernel()).isFalse();
    // the latency preset's graph holds its weights as constants (the loop above checked its function)
    assertThat(InferenceSpeed.latency(2).freezesWeights()).isTrue();
    assertThat(InferenceSpeed.batches(2).freezesWeights()).isFalse();
    assertThat(InferenceSpeed.throughput(2).freezesWeights()).isFalse();
    assertThat(InferenceSpeed.DEFAULT.freezesWeights()).isFalse();
    assertThat(ModelSpec.of(MODEL, Weights.random()).speed()).isEqualTo(InferenceSpeed.DEFAULT);
  }

  @Test
  void finetuneRunsTheTrainerWithAListenerThenTheRunExportsAndReloads() throws IOException {
    Path data = tinyFolder(tmp.resolve("shapes"), 6);
    List<TrainingListener.StepProgress> steps = new ArrayList<>();
    List<EpochRecord> epochs = new ArrayList<>();
    List<Integer> trained = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void step(StepProgress progress) {
        steps.add(progress);
      }

      @Override
      public void epochTrained(int epoch) {
        trained.add(epoch);
      }

      @Override
      public void epochFinished(EpochRecord record) {
        epochs.add(record);
      }
    };
    TrainSpec spec = TrainSpec.finetune(DataSpec.folder(data).withValSplit(0.25), tmp.resolve("run"), 2, 4)
        .withRecipe(new RecipeConfig(2, 4, 5e-4, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0, 0, 0.5, 0, false, 0.99, false,
            RecipeConfig.Distillation.none(), 0))
        .withAugmentation(null, 1.0f).withCropPct(1.0f).withThreads(1);
    TrainingResult result;
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random()).withImageSize(SIZE))) {
      result = model.finetune(spec, listener);
    }
    // 12 images, 3 held out: 9 training images make 2 batches of 4 (the last, partial one dropped) per epoch
    assertThat(steps).extracting(TrainingListener.StepProgress::step).containsExactly(1L, 2L, 1L, 2L);
    assertThat(steps).extracting(TrainingListener.StepProgress::epoch).containsExactly(0, 0, 1, 1);
    assertThat(steps).allSatisfy(s -> assertThat(s.meanLoss()).isPositive().isFinite());
    assertThat(trained).containsExactly(0, 1);
    assertThat(epochs).hasSize(2).allSatisfy(r -> assertThat(r.hasEval()).isTrue());
    assertThat(result.epochs()).isEqualTo(epochs);
    assertThat(result.bestTop1()).isPresent();

    Path image = data.resolve("square").resolve("0.png");
    try (StmzooModel trainedModel = Stmzoo.load(tmp.resolve("run"))) {
      assertThat(trainedModel.classNames()).containsExactly("circle", "square");
      assertThat(trainedModel.imageSize()).isEqualTo(SIZE);
      List<Prediction> inProcess = trainedModel.classify(image, 2);
      float[] features = trainedModel.features(image);
      Path export = trainedModel.export(tmp.resolve("served"));
      assertThat(export).isEqualTo(tmp.resolve("served").resolve("1"));
      try (StmzooModel served = Stmzoo.load(tmp.resolve("served"))) {
        assertThat(served.name()).isEqualTo(MODEL);
        assertThat(served.classNames()).containsExactly("circle", "square");
        List<Prediction> fromExport = served.classify(image, 2);
        assertThat(fromExport).extracting(Prediction::index)
            .containsExactlyElementsOf(inProcess.stream().map(Prediction::index).toList());
        for (int k = 0; k < 2; k++) {
          assertThat(fromExport.get(k).probability()).isCloseTo(inProcess.get(k).probability(), within(1e-4f));
        }
        float[] exported = served.features(image);
        assertThat(exported).hasSize(FEATURES);
        for (int i = 0; i < FEATURES; i++) {
          assertThat(exported[i]).isCloseTo(features[i], within(1e-3f + 1e-3f * Math.abs(features[i])));
        }
        assertThatThrownBy(() -> served.finetune(spec, TrainingListener.none()))
            .isInstanceOf(UnsupportedOperationException.class);
        Path copy = served.export(tmp.resolve("copy"), 3);
        try (StmzooModel reloaded = Stmzoo.load(copy)) {
          assertThat(reloaded.classify(image, 2)).isEqualTo(fromExport);
        }
      }
    }
  }

  /** A recipe without augmentation or EMA: batch {@code batch}, one epoch. */
  private static RecipeConfig plainRecipe(int batch) {
    return new RecipeConfig(1, batch, 5e-3, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0, 0, 0.5, 0, false, 0.5, false,
        RecipeConfig.Distillation.none(), 0);
  }

  /** One epoch of {@code model} (random weights) on the tiny shapes folder, spread as {@code parallelism}. */
  private String finetuneOneEpoch(String model, Parallelism parallelism) throws IOException {
    TrainSpec spec = TrainSpec.finetune(DataSpec.folder(tinyFolder(tmp.resolve("shapes"), 6)).withValSplit(0.25),
        tmp.resolve("run"), 1, 4).withRecipe(plainRecipe(4)).withAugmentation(null, 1.0f).withCropPct(1.0f)
        .withThreads(1).withParallelism(parallelism);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainingResult result;
    try (StmzooModel m = Stmzoo.load(ModelSpec.of(model, Weights.random()).withImageSize(SIZE))) {
      result = m.finetune(spec, TrainingListener.none(), new PrintStream(log, true, StandardCharsets.UTF_8));
    }
    assertThat(result.epochs()).hasSize(1).allSatisfy(r -> assertThat(r.trainLoss()).isPositive().isFinite());
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRandomModelOfAnotherSeedThanTheRecipesIsNotFinetunedFromADifferentInit() throws IOException {
    TrainSpec spec = TrainSpec.finetune(DataSpec.folder(tinyFolder(tmp.resolve("shapes"), 2)), tmp.resolve("run"), 1, 2)
        .withRecipe(plainRecipe(2)).withThreads(1);
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE))) {
      assertThatThrownBy(() -> model.finetune(spec, TrainingListener.none()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("initialised with seed 7, the recipe's seed is 0");
    }
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void aFinetuneOnTwoChainsTrainsAndSaysSo() throws IOException {
    assertThat(finetuneOneEpoch(MODEL, Parallelism.chains(2))).contains(", 2 chains of batch 2");
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random()).withImageSize(SIZE))) {
      TrainSpec odd = TrainSpec.finetune(DataSpec.folder(tmp.resolve("shapes")), tmp.resolve("odd"), 1, 6)
          .withRecipe(plainRecipe(6)).withThreads(1).withParallelism(Parallelism.chains(4));
      assertThatThrownBy(() -> model.finetune(odd, TrainingListener.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not split evenly over 4");
    }
    assertThat(tmp.resolve("odd")).doesNotExist();
  }

  @Test
  void aSwinFinetunesOnTwoCpuDevices() throws IOException {
    // U-Swin gathers its relative-position bias from a variable; the gather's gradient once pinned both
    // replicas' gradients to that variable's one read, and placement failed ("Cannot colocate nodes").
    assertThat(finetuneOneEpoch("u-swin-micro", Parallelism.devices("cpu:0,cpu:1")))
        .contains(", 2 replicas of batch 2");
  }

  /**
   * One epoch on {@code data} (a quarter held out) into {@code tmp/out}, keeping an EMA of decay 0.5 that each
   * epoch's evaluation scores when {@code evalEma} ({@code --model-ema-eval}).
   */
  private TrainSpec emaTraining(Path data, String out, boolean evalEma) {
    RecipeConfig recipe = new RecipeConfig(1, 4, 5e-3, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0, 0, 0.5, 0, true, 0.5, evalEma,
        RecipeConfig.Distillation.none(), 0);
    return TrainSpec.finetune(DataSpec.folder(data).withValSplit(0.25), tmp.resolve(out), 1, 4).withRecipe(recipe)
        .withAugmentation(null, 1.0f).withCropPct(1.0f).withThreads(1);
  }

  /** {@code spec} run from random weights, its log discarded. */
  private static void finetune(TrainSpec spec) throws IOException {
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random()).withImageSize(SIZE))) {
      model.finetune(spec, TrainingListener.none(), new PrintStream(OutputStream.nullOutputStream()));
    }
  }

  /** What {@link Evaluation#run} logs for {@code spec}. */
  static String evalLog(EvalSpec spec) throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Evaluation.run(spec, new PrintStream(log, true, StandardCharsets.UTF_8));
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRunsEmaWeightsLoadExportUnderOtherClassNamesAndStartAFinetune() throws IOException {
    Path data = tinyFolder(tmp.resolve("shapes"), 6);
    finetune(emaTraining(data, "run", false));
    Path run = tmp.resolve("run");
    // without --model-ema-eval the run scored, and chose best/ by, its live weights, which eval takes by default
    for (String folder : List.of(RunDirectory.BEST, RunDirectory.LAST)) {
      CheckpointFolder.Training training = new RunDirectory(run).checkpointMetadata(folder).training();
      assertThat(training.ema()).as(folder).isTrue();
      assertThat(training.evalEma()).as(folder).isFalse();
    }
    assertThat(evalLog(EvalSpec.of(run))).doesNotContain("note:");
    Path image = data.resolve("circle").resolve("0.png");
    float[] trained;
    float[] ema;
    try (StmzooModel model = Stmzoo.load(run)) {
      trained = model.features(image);
    }
    ModelSpec emaSpec = new ModelSpec(null, Weights.checkpointEma(run), null, null, Downloads.fromEnvironment(), null);
    try (StmzooModel model = Stmzoo.load(emaSpec)) {
      ema = model.features(image);
      // decay 0.5 over two steps: the average lags the trained weights
      assertThat(ema).isNotEqualTo(trained);
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      Files.writeString(data.resolve("circle").resolve("notes.heic"), "not an image this reader takes");
      model.finetune(emaTraining(data, "from-ema", false), TrainingListener.none(),
          new PrintStream(log, true, StandardCharsets.UTF_8));
      // the log says what was read and what was skipped, not only args.json
      assertThat(log.toString(StandardCharsets.UTF_8)).contains("Initialised from stmzoo checkpoint")
          .contains(", EMA weights").contains("Training on train part of image folder " + data + " (split 0.250")
          .contains("1 other file of the folder skipped: .heic)\nValidating on validation part of image folder");
    }
    ExportResult export = Stmzoo.export(ExportSpec.of(emaSpec.withClassNames(List.of("round", "boxy")),
        tmp.resolve("served")).withVersion(2));
    assertThat(export.directory()).isEqualTo(tmp.resolve("served").resolve("2"));
    assertThat(export.card().weights()).contains("EMA weights");
    assertThat(export.card().classNames()).containsExactly("round", "boxy");
    try (StmzooModel served = Stmzoo.load(tmp.resolve("served"))) {
      float[] exported = served.features(image);
      for (int i = 0; i < exported.length; i++) {
        assertThat(exported[i]).isCloseTo(ema[i], within(1e-3f + 1e-3f * Math.abs(ema[i])));
      }
    }
    assertThatThrownBy(() -> Stmzoo.export(ExportSpec.of(emaSpec.withClassNames(List.of("a", "b", "c")),
        tmp.resolve("other")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("classifies 2 classes, but 3 class names were given");
  }

  @Test
  void aRunScoringItsEmaWeightsRecordsItAndEvalExportAndLoadOfItsLiveWeightsSaySo() throws IOException {
    finetune(emaTraining(tinyFolder(tmp.resolve("shapes"), 6), "run", true));
    Path run = tmp.resolve("run");
    for (String folder : List.of(RunDirectory.BEST, RunDirectory.LAST)) {
      CheckpointFolder.Training training = new RunDirectory(run).checkpointMetadata(folder).training();
      assertThat(training.evalTop1()).as(folder).isNotNull();
      assertThat(training.evalEma()).as(folder).isTrue();
    }
    String scoredEma = "the run scored the EMA weights of " + run.resolve(RunDirectory.BEST)
        + " (train --model-ema-eval: its eval top-1 and the choice of best/ are theirs), not these live ones";
    // the live weights stay the default; eval and export of them say whose score best/ was chosen by
    assertThat(evalLog(EvalSpec.of(run))).contains("note: " + scoredEma + "; --ema evaluates the EMA weights\n");
    assertThat(evalLog(new EvalSpec(run, null, true, null, 64, null))).doesNotContain("note:");
    List<String> notes = new ArrayList<>();
    ExportResult export = Stmzoo.export(ExportSpec.of(ModelSpec.of(null, Weights.checkpoint(run)),
        tmp.resolve("served")), notes::add);
    assertThat(notes).containsExactly(scoredEma + "; --ema exports the EMA weights");
    // a model loaded in this process says so too, in its own words; its EMA weights need no note
    notes.clear();
    try (StmzooModel live = Stmzoo.load(ModelSpec.of(null, Weights.checkpoint(run)), notes::add)) {
      assertThat(notes).containsExactly(scoredEma + "; Weights.checkpointEma (predict --ema) loads the EMA weights");
    }
    notes.clear();
    try (StmzooModel ema = Stmzoo.load(ModelSpec.of(null, Weights.checkpointEma(run)), notes::add)) {
      assertThat(notes).isEmpty();
    }
    assertThat(export.card().trainingSummary()).containsEntry("weights", "trained")
        .containsEntry("eval_weights", "ema");
  }

  /** Stmzoo.export without a notes consumer says on standard error what it removed, as the export command does. */
  @Test
  void anExportWithoutNotesConsumerPrintsItsNotesToStandardError() throws IOException {
    Path abandoned = Files.createDirectories(tmp.resolve("served").resolve(".1-incomplete-dead")).toRealPath();
    Files.writeString(abandoned.resolve("saved_model.pb"), "half");
    Files.createFile(tmp.resolve("served").resolve(".1-incomplete-dead.lock")); // nobody holds its lock
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
          .withClassNames(List.of("a", "b")), tmp.resolve("served")));
    } finally {
      System.setErr(stderr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("note: removed " + abandoned
        + " (4 bytes), left by an export that did not finish (its process is gone)\n");
    try (var left = Files.list(tmp.resolve("served"))) {
      assertThat(left).containsExactly(tmp.resolve("served").resolve("1"));
    }
  }

  /** A copy of a loaded export that fails partway leaves no version folder (nor its hidden staging folder). */
  @Test
  void aFailedCopyOfAnExportLeavesNoVersionBehind() throws IOException {
    ExportResult export = Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(List.of("a", "b")), tmp.resolve("served")));
    try (StmzooModel served = Stmzoo.load(export.directory())) {
      // a file the copy cannot read: it fails after it has started (the walk visits the folder itself first)
      Files.createSymbolicLink(export.directory().resolve("variables").resolve("zz-dangling"),
          tmp.resolve("missing"));
      assertThatThrownBy(() -> served.export(tmp.resolve("copy"), 3)).isInstanceOf(IOException.class);
      try (var left = Files.list(tmp.resolve("copy"))) {
        assertThat(left).isEmpty();
      }
      Files.delete(export.directory().resolve("variables").resolve("zz-dangling"));
      Path copy = served.export(tmp.resolve("copy"), 3);
      assertThat(copy).isEqualTo(tmp.resolve("copy").resolve("3"));
      try (var left = Files.list(tmp.resolve("copy"))) {
        assertThat(left).containsExactly(copy);
      }
      try (StmzooModel reloaded = Stmzoo.load(copy)) {
        assertThat(reloaded.classNames()).containsExactly("a", "b");
      }
    }
  }

  /**
   * A copy of an export loaded through links (current -> served/1, a linked variables/) copies the files they lead
   * to; a copy that would lack one of the export's files is refused and publishes nothing.
   */
  @Test
  void aCopyOfAnExportLoadedThroughLinksCopiesWhatTheyLeadToAndAnIncompleteOneIsRefused() throws IOException {
    ExportResult export = Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(List.of("a", "b")), tmp.resolve("served")));
    Path variables = export.directory().resolve("variables");
    Files.createSymbolicLink(variables, Files.move(variables, tmp.resolve("variables-elsewhere")));
    Path current = Files.createSymbolicLink(tmp.resolve("current"), export.directory());
    try (StmzooModel served = Stmzoo.load(current)) {
      Path copy = served.export(tmp.resolve("copy"), 3);
      assertThat(Files.isSymbolicLink(copy.resolve("variables"))).isFalse();
      assertThat(copy.resolve("variables/variables.index")).hasSameBinaryContentAs(variables.resolve(
          "variables.index"));
      try (StmzooModel reloaded = Stmzoo.load(copy)) {
        assertThat(reloaded.classNames()).containsExactly("a", "b");
      }

      Files.delete(export.directory().resolve("stmzoo.json")); // read when loaded: the copy alone misses it
      assertThatThrownBy(() -> served.export(tmp.resolve("copy"), 4)).isInstanceOf(IOException.class)
          .hasMessage(tmp.resolve("copy").resolve("4") + " would have no stmzoo.json, so it was not written");
      try (var left = Files.list(tmp.resolve("copy"))) {
        assertThat(left).containsExactly(copy);
      }
    }
  }

  /**
   * A copy of a read-only export (chmod -R a-w) gets the permissions of any file and folder the process creates (the
   * umask's), as a new export does: not the source's, which made the copy's variables/ read-only before the files
   * were copied into it.
   */
  @Test
  void aCopyOfAReadOnlyExportHasThePermissionsOfNewFiles() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    ExportResult export = Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(List.of("a", "b")), tmp.resolve("served")));
    List<Path> exported;
    try (var walk = Files.walk(export.directory())) {
      exported = walk.toList();
    }
    Set<PosixFilePermission> newFile = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("new-file")));
    Set<PosixFilePermission> newFolder = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("new-dir")));
    for (Path p : exported) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x"
          : "r--r--r--"));
    }
    try (StmzooModel served = Stmzoo.load(export.directory())) {
      Path copy = served.export(tmp.resolve("copy"), 2);
      assertThat(Files.getPosixFilePermissions(copy.resolve("variables"))).isEqualTo(newFolder);
      assertThat(Files.getPosixFilePermissions(copy.resolve("saved_model.pb"))).isEqualTo(newFile);
      assertThat(Files.getPosixFilePermissions(copy.resolve("variables/variables.index"))).isEqualTo(newFile);
    } finally {
      for (Path p : exported) {
        Files.setPosixFilePermissions(p, Files.isDirectory(p) ? newFolder : newFile); // for the clean-up
      }
    }
  }

  /** A loaded export reads an image file as the in-process models do: a regular file, within the byte limit. */
  @Test
  void aLoadedExportRefusesADirectoryOrAnOversizedFileInOneLine() throws IOException {
    ExportResult export = Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(List.of("a", "b")), tmp.resolve("served")));
    Path folder = Files.createDirectory(tmp.resolve("images"));
    Path huge = tmp.resolve("huge.png");
    try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
      sparse.setLength(ImageHeader.MAX_BYTES.value() + 1);
    }
    try (StmzooModel served = Stmzoo.load(export.directory())) {
      assertThatThrownBy(() -> served.classify(folder, 1)).isInstanceOf(InputFileException.class)
          .hasMessage(folder + ": is a directory, not a file");
      assertThatThrownBy(() -> served.features(huge)).isInstanceOf(InputLimitException.class)
          .hasMessageStartingWith(huge + ": " + (ImageHeader.MAX_BYTES.value() + 1) + " bytes exceeds the limit");
    }
  }

  @Test
  void aBuiltInDataSetRefusesAValidationFolderOrSplit() {
    assertThatThrownBy(() -> DataSpec.of("fashion-mnist").withValSplit(0.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fashion-mnist validates on its own test split; a validation folder or split applies to an"
            + " image folder");
    assertThatThrownBy(() -> DataSpec.of("cifar10:/data").withVal(Path.of("v")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validates on its own test split");
    assertThatThrownBy(() -> DataSpec.folder(Path.of("images")).withValSplit(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the validation split must be a fraction in (0, 1), got 5.0");
    assertThat(DataSpec.folder(Path.of("images")).withValSplit(0.25).valSplit()).isEqualTo(0.25);
  }

  @Test
  void aCheckpointOfAnotherModelIsRefused() throws IOException {
    // a deit-tiny checkpoint at 32px, written straight from a freshly initialised graph (no training)
    Path deit = tmp.resolve("deit");
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get("deit-tiny"), new ModelOptions(2, 3, SIZE, null), graph,
          0L, -1, true);
      session.run(built.model().initializer());
      StmzooCheckpoint.write(deit, session, built, StmzooCheckpoint.metadataFor(built, List.of("a", "b"), "test"));
    }
    assertThatThrownBy(() -> Stmzoo.load(MODEL, Weights.checkpoint(deit)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(deit + " holds deit-tiny weights, not " + MODEL);
    assertThatThrownBy(() -> Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.checkpoint(deit)),
        tmp.resolve("served")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(deit + " holds deit-tiny weights, not " + MODEL);
    assertThat(tmp.resolve("served")).doesNotExist();
    assertThatThrownBy(() -> ModelSpec.of(null, Weights.random())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model name");
  }

  /** {@code root/circle/*.png} and {@code root/square/*.png}, {@code perClass} 32x32 images each. */
  static Path tinyFolder(Path root, int perClass) throws IOException {
    Random random = new Random(11);
    for (String name : List.of("circle", "square")) {
      Files.createDirectories(root.resolve(name));
      for (int i = 0; i < perClass; i++) {
        ImageIO.write(shapeImage(name.equals("circle"), random), "png", root.resolve(name).resolve(i + ".png")
            .toFile());
      }
    }
    return root;
  }

  static BufferedImage shapeImage(boolean circle, Random random) {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(random.nextInt(60), random.nextInt(60), random.nextInt(60)));
    g.fillRect(0, 0, SIZE, SIZE);
    g.setColor(new Color(150 + random.nextInt(100), 150 + random.nextInt(100), 150 + random.nextInt(100)));
    int s = 12 + random.nextInt(10);
    int x = random.nextInt(SIZE - s);
    int y = random.nextInt(SIZE - s);
    if (circle) {
      g.fillOval(x, y, s, s);
    } else {
      g.fillRect(x, y, s, s);
    }
    g.dispose();
    return image;
  }

  static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
