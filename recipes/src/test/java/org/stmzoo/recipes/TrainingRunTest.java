package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.Subset;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.io.DurableFiles;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.ProgressReporter;
import org.stmzoo.recipes.train.Trainer;
import org.stmzoo.recipes.train.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Real training on a Fashion-MNIST subset with a tiny model at 16x16. */
class TrainingRunTest {
  private static final int SIZE = 16;
  private static final float[] MEAN = {0.5f};
  private static final float[] STD = {0.5f};

  private static ImageDataset fashionMnist(FashionMnist.Split split, int count) throws IOException {
    Path folder;
    try {
      folder = FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false);
    } catch (IllegalArgumentException notInstalled) {
      assumeTrue(false, "Fashion-MNIST is not installed: " + notInstalled.getMessage());
      return null;
    }
    return Subset.first(FashionMnist.load(folder, split), count);
  }

  /** One run: a fresh graph and session on the run folder; resumes when asked. */
  private static List<EpochRecord> train(Path out, RecipeConfig config, ImageDataset trainSet, ImageDataset valSet,
      boolean resume, long stopAtStep, Map<String, float[]> weightsOut) throws IOException {
    return train(out, config, trainSet, valSet, resume, stopAtStep, weightsOut, () -> {});
  }

  /** As above, with what {@link Trainer#fit(Runnable)} runs when the loop ends. */
  private static List<EpochRecord> train(Path out, RecipeConfig config, ImageDataset trainSet, ImageDataset valSet,
      boolean resume, long stopAtStep, Map<String, float[]> weightsOut, Runnable release) throws IOException {
    return train(out, config, trainSet, valSet, resume, stopAtStep, weightsOut, release, 0, -1, System.out);
  }

  /**
   * As above, saving {@code last} every {@code saveEvery} steps ({@link Trainer#saveLastEvery}), and crashing (an
   * exception out of the loop, as from a lost task) once global step {@code crashAfterStep} is done, the trainer's
   * lines printed to {@code log}.
   */
  private static List<EpochRecord> train(Path out, RecipeConfig config, ImageDataset trainSet, ImageDataset valSet,
      boolean resume, long stopAtStep, Map<String, float[]> weightsOut, Runnable release, int saveEvery,
      long crashAfterStep, PrintStream log) throws IOException {
    try (Graph g = new Graph(); Session s = new Session(g);
        BatchLoader train = new BatchLoader(trainSet, TransformConfig.train(SIZE, MEAN, STD, null, false),
            config.batchSize(), true, true, config.seed(), 1);
        BatchLoader val = new BatchLoader(valSet, TransformConfig.eval(SIZE, 0.875f, MEAN, STD, false), 64, false,
            false, 0, 1)) {
      ModelGraph model = ModelGraph.inferenceOnly(g, config.seed());
      Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, SIZE, SIZE, 1)));
      TinyNet net = new TinyNet(model.root(), 1, 10);
      TrainingGraph graph = new TrainingGraph(model, net, images, net.call(images, model.training()), 10, config,
          Optional.empty());
      Trainer[] holder = new Trainer[1];
      // Stands in for Ctrl-C: asks the trainer to stop once the given global step is done.
      ProgressReporter stopper = (epoch, epochs, total, start) -> new ProgressReporter.EpochProgress() {
        @Override
        public void step(long done, double loss, double lr, double imagesPerSecond) {
          if (epoch * total + done == stopAtStep) {
            holder[0].requestStop();
          }
          if (epoch * total + done == crashAfterStep) {
            throw new IllegalStateException("crash after step " + crashAfterStep);
          }
        }

        @Override
        public void close() {}
      };
      Trainer trainer = new Trainer(s, graph, train, Optional.of(val),
          CheckpointFolder.Metadata.of("tiny-net", 10, SIZE, 1, trainSet.classNames(), "test run"), config,
          new RunDirectory(out), stopper, log);
      holder[0] = trainer;
      trainer.saveLastEvery(saveEvery);
      graph.initialize(s);
      if (resume) {
        trainer.restoreLast();
      }
      List<EpochRecord> records = trainer.fit(release);
      if (weightsOut != null) {
        for (ModelVariable v : model.variables().values()) {
          weightsOut.put(v.path(), GraphTestSupport.fetch(s, v.value()));
        }
      }
      return records;
    }
  }

  private static RecipeConfig recipe(int epochs, int batch, double lr, double mixup, double cutmix, double reprob,
      boolean ema) {
    return new RecipeConfig(epochs, batch, lr, 1e-5, 1e-6, 0.5, 0.05, 5.0, 0.1, mixup, cutmix, 0.5, reprob, ema,
        0.9, ema, RecipeConfig.Distillation.none(), 11);
  }

  @Test
  void shortTrainingLowersTheLossAndBeatsChance(@TempDir Path out) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 2048);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 500);
    // Effective lr 1e-2 at batch 32; no mixing so that 192 steps suffice.
    RecipeConfig config = recipe(3, 32, 1e-2 * 512 / 32, 0, 0, 0, false);
    List<EpochRecord> records = train(out, config, trainSet, valSet, false, -1, null);

    assertThat(records).hasSize(3);
    assertThat(records.get(2).trainLoss()).isLessThan(records.get(0).trainLoss());
    assertThat(records.get(0).trainLoss()).isLessThan(Math.log(10) + 0.2);
    assertThat(records.get(2).evalTop1()).isGreaterThan(30.0); // chance is 10%
    System.out.printf("tiny net, 3 epochs x 2048 images: losses %.3f -> %.3f, eval top-1 %.1f%%%n",
        records.get(0).trainLoss(), records.get(2).trainLoss(), records.get(2).evalTop1());

    RunDirectory run = new RunDirectory(out);
    assertThat(Files.readAllLines(out.resolve(RunDirectory.SUMMARY)).get(0)).contains("eval_top1");
    assertThat(run.readSummary()).hasSize(3);
    assertThat(run.hasCheckpoint(RunDirectory.LAST)).isTrue();
    assertThat(run.hasCheckpoint(RunDirectory.BEST)).isTrue();
    CheckpointFolder.Metadata last = run.checkpointMetadata(RunDirectory.LAST);
    assertThat(last.training().step()).isEqualTo(3 * 64);
    assertThat(last.training().epochsDone()).isEqualTo(3);
    assertThat(last.training().evalTop1()).isEqualTo(records.get(2).evalTop1());
    // the score is written into last's metadata after the epoch was saved; the digests of its variables stay
    assertThat(last.variablesFiles()).extracting(CheckpointFolder.VariablesFile::name)
        .contains("variables.index");
    assertThat(last.training().ema()).isFalse();
    assertThat(last.training().evalEma()).isFalse();
    assertThat(last.model()).isEqualTo("tiny-net");
    assertThat(last.classNames()).isEqualTo(trainSet.classNames());
    assertThat(CheckpointFolder.prefix(run.checkpoint(RunDirectory.BEST)).resolveSibling("variables.index"))
        .isNotEmptyFile();
    assertThat(out.resolve(RunDirectory.PLOT)).isNotEmptyFile();
    try (var files = Files.list(run.tensorboard())) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents")).count()).isEqualTo(1);
    }
  }

  @Test
  void resumingGivesTheWeightsOfAnUninterruptedRun(@TempDir Path straight, @TempDir Path atEpoch,
      @TempDir Path midEpoch, @TempDir Path crashed) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 64);
    // The full DeiT batch augmentation and an EMA, so their state and draws must resume exactly too.
    RecipeConfig two = recipe(2, 32, 5e-3 * 512 / 32, 0.8, 1.0, 0.25, true);
    Map<String, float[]> once = new TreeMap<>();
    List<EpochRecord> uninterrupted = train(straight, two, trainSet, valSet, false, -1, once);

    // 8 steps per epoch: stop at the end of epoch 1, then resume for epoch 2.
    train(atEpoch, two, trainSet, valSet, false, 8, null);
    assertThat(new RunDirectory(atEpoch).readSummary()).hasSize(1);
    Map<String, float[]> resumed = new TreeMap<>();
    List<EpochRecord> records = train(atEpoch, two, trainSet, valSet, true, -1, resumed);
    assertThat(records).extracting(EpochRecord::epoch).containsExactly(0, 1);
    assertThat(records.get(1).trainLoss()).isLessThan(records.get(0).trainLoss() - 0.01); // the weights moved
    assertSameWeights(once, resumed);

    // Interrupted in the middle of epoch 2 (step 11): the checkpoint holds that step, and resuming replays the
    // rest of the epoch's batches and augmentation draws.
    train(midEpoch, two, trainSet, valSet, false, 11, null);
    CheckpointFolder.Training interrupted = new RunDirectory(midEpoch).checkpointMetadata(RunDirectory.LAST)
        .training();
    assertThat(interrupted.step()).isEqualTo(11);
    assertThat(interrupted.evalTop1()).isNull();
    assertThat(interrupted.ema()).isTrue();
    assertThat(interrupted.evalEma()).as("the run evaluates its EMA (--model-ema-eval)").isTrue();
    // the epoch's sums so far (steps 9 to 11) are saved with it
    assertThat(interrupted.epochSoFar().steps()).isEqualTo(3);
    assertThat(interrupted.epochSoFar().images()).isEqualTo(3 * 32);
    assertThat(interrupted.epochSoFar().seconds()).isPositive();
    // as if the save had been cut off between its two renames: readers take .last.old as it lies, the resumed
    // trainer puts it back
    Files.move(midEpoch.resolve(RunDirectory.LAST), midEpoch.resolve(".last.old"));
    assertThat(new RunDirectory(midEpoch).checkpointTraining(RunDirectory.LAST).step()).isEqualTo(11);
    assertThat(midEpoch.resolve(RunDirectory.LAST)).doesNotExist();
    Map<String, float[]> resumedMid = new TreeMap<>();
    List<EpochRecord> resumedMidRows = train(midEpoch, two, trainSet, valSet, true, -1, resumedMid);
    assertSameWeights(once, resumedMid);
    assertThat(midEpoch.resolve(".last.old")).doesNotExist();
    // epoch 2's row covers its 8 steps, the 3 before the stop too, as the uninterrupted run's does
    assertSameRow(uninterrupted.get(1), resumedMidRows.get(1), 8 * 32);

    // Saving every 3 steps (3, 6, the epoch's end at 8, then 9), a crash after step 11 loses steps 10 and 11 only,
    // not the epoch; resuming from step 9 replays them.
    assertThatThrownBy(() -> train(crashed, two, trainSet, valSet, false, -1, null, () -> {}, 3, 11, System.out))
        .hasMessage("crash after step 11");
    CheckpointFolder.Training periodic = new RunDirectory(crashed).checkpointMetadata(RunDirectory.LAST).training();
    assertThat(periodic.step()).isEqualTo(9);
    assertThat(periodic.epochsDone()).isEqualTo(1);
    assertThat(periodic.evalTop1()).isNull();
    assertThat(periodic.epochSoFar().steps()).isEqualTo(1);
    Map<String, float[]> resumedCrashed = new TreeMap<>();
    List<EpochRecord> resumedCrashedRows = train(crashed, two, trainSet, valSet, true, -1, resumedCrashed);
    assertSameWeights(once, resumedCrashed);
    assertSameRow(uninterrupted.get(1), resumedCrashedRows.get(1), 8 * 32);
  }

  /**
   * A resumed epoch's summary row against the uninterrupted run's: the mean train loss over all of its steps, the
   * same score, and a rate and time that cover {@code images} images (summary.csv has no step or image columns).
   */
  private static void assertSameRow(EpochRecord expected, EpochRecord actual, long images) {
    assertThat(actual.epoch()).isEqualTo(expected.epoch());
    assertThat(actual.trainLoss()).isCloseTo(expected.trainLoss(), within(1e-6));
    assertThat(actual.evalTop1()).isCloseTo(expected.evalTop1(), within(1e-6));
    assertThat(actual.lr()).isEqualTo(expected.lr());
    assertThat(actual.imagesPerSecond() * actual.epochSeconds()).isCloseTo(images, within(1e-6 * images));
    assertThat(expected.imagesPerSecond() * expected.epochSeconds()).isCloseTo(images, within(1e-6 * images));
  }

  @Test
  void aStopWithTheEpochsLastStepSavesTheEpochWithoutEvaluatingIt(@TempDir Path out) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 64);
    // 8 steps per epoch: the stop comes with the first epoch's last step
    List<EpochRecord> records = train(out, recipe(2, 32, 5e-3 * 512 / 32, 0, 0, 0, false), trainSet, valSet, false,
        8, null);

    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.hasEval()).as("evaluated after the stop").isFalse();
      assertThat(r.trainLoss()).isFinite();
    });
    RunDirectory run = new RunDirectory(out);
    assertThat(run.readSummary()).isEqualTo(records);
    CheckpointFolder.Training saved = run.checkpointMetadata(RunDirectory.LAST).training();
    assertThat(saved.step()).isEqualTo(8);
    assertThat(saved.epochsDone()).isEqualTo(1);
    assertThat(saved.evalTop1()).isNull();
    assertThat(run.hasCheckpoint(RunDirectory.BEST)).as("an epoch without its evaluation is not the best").isFalse();
  }

  /** A resume of a run that has done all its epochs trains nothing and says so (it said "Resuming at epoch 2"). */
  @Test
  void resumingAFinishedRunSaysItIsFinishedAndTrainsNothing(@TempDir Path out) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 64);
    RecipeConfig one = recipe(1, 32, 5e-3 * 512 / 32, 0, 0, 0, true);
    Map<String, float[]> trained = new TreeMap<>();
    List<EpochRecord> records = train(out, one, trainSet, valSet, false, -1, trained);

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Map<String, float[]> resumed = new TreeMap<>();
    List<EpochRecord> again = train(out, one, trainSet, valSet, true, -1, resumed, () -> {}, 0, -1,
        new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(again).isEqualTo(records);
    assertSameWeights(trained, resumed);
    assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("Resuming")
        .contains("Nothing to resume: the run already finished its 1 epoch (step 8); to train longer, start a"
            + " new run from its weights with --init " + out.resolve(RunDirectory.LAST));
  }

  @Test
  void anEpochWhoseEvaluationFailsIsKeptInLast(@TempDir Path out) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    // label 10 is outside the model's 10 classes: the evaluator refuses it
    ImageDataset valSet = withLabel(fashionMnist(FashionMnist.Split.TEST, 64), 10);

    assertThatThrownBy(() -> train(out, recipe(2, 32, 5e-3 * 512 / 32, 0, 0, 0, false), trainSet, valSet, false, -1,
        null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 10");

    RunDirectory run = new RunDirectory(out);
    CheckpointFolder.Training saved = run.checkpointMetadata(RunDirectory.LAST).training();
    assertThat(saved.step()).isEqualTo(8);
    assertThat(saved.epochsDone()).isEqualTo(1);
    assertThat(saved.evalTop1()).isNull();
    assertThat(run.readSummary()).singleElement().satisfies(r -> {
      assertThat(r.epoch()).isZero();
      assertThat(r.trainLoss()).isFinite();
      assertThat(r.hasEval()).isFalse();
    });
  }

  @Test
  void resumingComparesWithTheEpochThatBestHolds(@TempDir Path out, @TempDir Path firstBest) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 2048);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 500);
    RecipeConfig three = recipe(3, 32, 1e-2 * 512 / 32, 0, 0, 0, false);
    RunDirectory run = new RunDirectory(out);
    // 64 steps per epoch: stopped early in epoch 2, best/ holds epoch 1
    train(out, three, trainSet, valSet, false, 65, null);
    assertThat(run.checkpointMetadata(RunDirectory.BEST).training().epochsDone()).isEqualTo(1);
    copyFolder(out.resolve(RunDirectory.BEST), firstBest);
    train(out, three, trainSet, valSet, true, 129, null);

    // A kill while epoch 2's best/ was written: summary.csv and last hold epoch 2, best/ still epoch 1. Epoch 2
    // scored 100 %, so that no later epoch would beat it if it counted.
    DurableFiles.deleteTree(out.resolve(RunDirectory.BEST));
    copyFolder(firstBest, out.resolve(RunDirectory.BEST));
    List<EpochRecord> rows = new ArrayList<>(run.readSummary());
    EpochRecord second = rows.get(1);
    rows.set(1, new EpochRecord(second.epoch(), second.trainLoss(), second.evalLoss(), 100.0, 100.0, second.lr(),
        second.imagesPerSecond(), second.epochSeconds()));
    run.writeSummary(rows);
    List<EpochRecord> records = train(out, three, trainSet, valSet, true, -1, null);

    assertThat(records).hasSize(3);
    assertThat(records.get(2).evalTop1()).isGreaterThan(records.get(0).evalTop1()); // the training improved
    CheckpointFolder.Training best = run.checkpointMetadata(RunDirectory.BEST).training();
    assertThat(best.epochsDone()).as("best/ after beating epoch 1, which best/ held").isEqualTo(3);
    assertThat(best.evalTop1()).isEqualTo(records.get(2).evalTop1());
  }

  @Test
  void whatFitReleasesIsReleasedAfterAStopAndAfterANonFiniteLoss(@TempDir Path stopped, @TempDir Path diverged)
      throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 64);
    RecipeConfig two = recipe(2, 32, 5e-3 * 512 / 32, 0, 0, 0, false);
    AtomicInteger releases = new AtomicInteger();
    train(stopped, two, trainSet, valSet, false, 3, null, releases::incrementAndGet);
    assertThat(releases).hasValue(1);

    // NaN pixels give a NaN loss at the first step: the run fails, as it does without a release
    assertThatThrownBy(() -> train(diverged, two, withPixels(trainSet, Float.NaN), valSet, false, -1, null,
        releases::incrementAndGet)).isInstanceOf(IllegalStateException.class).hasMessageContaining("loss is NaN");
    assertThat(releases).hasValue(2);
  }

  @Test
  void noPeriodicSaveFollowsANonFiniteLoss(@TempDir Path out) throws IOException {
    ImageDataset trainSet = fashionMnist(FashionMnist.Split.TRAIN, 256);
    ImageDataset valSet = fashionMnist(FashionMnist.Split.TEST, 64);
    // one loader thread reads the batches in order: images from the fourth batch on are NaN
    AtomicInteger reads = new AtomicInteger();
    ImageDataset turnsNaN = mapped(trainSet, image -> {
      if (reads.incrementAndGet() <= 3 * 32) {
        return image;
      }
      float[] pixels = new float[image.pixels().length];
      Arrays.fill(pixels, Float.NaN);
      return new LabeledImage(pixels, image.height(), image.width(), image.channels(), image.label());
    });
    assertThatThrownBy(() -> train(out, recipe(2, 32, 5e-3 * 512 / 32, 0, 0, 0, false), turnsNaN, valSet, false, -1,
        null, () -> {}, 1, -1, System.out)).isInstanceOf(IllegalStateException.class).hasMessageContaining("loss is NaN at step 3");
    // saved after each of the three finite steps, not after the NaN one
    assertThat(new RunDirectory(out).checkpointMetadata(RunDirectory.LAST).training().step()).isEqualTo(3);
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  /** {@code images} with every label replaced by {@code label}. */
  private static ImageDataset withLabel(ImageDataset images, int label) {
    return mapped(images, image -> new LabeledImage(image.pixels(), image.height(), image.width(), image.channels(),
        label));
  }

  /** {@code images} with every pixel set to {@code value}. */
  private static ImageDataset withPixels(ImageDataset images, float value) {
    return mapped(images, image -> {
      float[] pixels = new float[image.pixels().length];
      Arrays.fill(pixels, value);
      return new LabeledImage(pixels, image.height(), image.width(), image.channels(), image.label());
    });
  }

  private static ImageDataset mapped(ImageDataset images, UnaryOperator<LabeledImage> change) {
    return new ImageDataset() {
      @Override
      public int size() {
        return images.size();
      }

      @Override
      public List<String> classNames() {
        return images.classNames();
      }

      @Override
      public LabeledImage get(int index) throws IOException {
        return change.apply(images.get(index));
      }

      @Override
      public String description() {
        return images.description() + ", changed";
      }

      @Override
      public int channels() {
        return images.channels();
      }
    };
  }

  private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    assertThat(actual.keySet()).anyMatch(k -> k.startsWith("ema/")).anyMatch(k -> k.startsWith("optimizer/"));
    for (String key : expected.keySet()) {
      float[] e = expected.get(key);
      float[] a = actual.get(key);
      for (int i = 0; i < e.length; i++) {
        assertThat(a[i]).as(key + "[" + i + "]").isCloseTo(e[i], within(1e-4f + 1e-3f * Math.abs(e[i])));
      }
    }
  }
}
