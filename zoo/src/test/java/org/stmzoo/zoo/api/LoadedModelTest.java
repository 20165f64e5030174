package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;

/**
 * The two kinds of loaded model, in process and from an export, alike: their preprocessing, a null argument and a
 * closed model.
 */
class LoadedModelTest {
  private static final String MODEL = "u-convnext-micro";
  private static final int SIZE = 32;

  @TempDir
  Path tmp;

  /** A random u-convnext-micro at 32px and its export, loaded back; the caller closes both. */
  private List<StmzooModel> bothKinds() throws IOException {
    StmzooModel inProcess = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE)
        .withClassNames(List.of("a", "b", "c")));
    return List.of(inProcess, Stmzoo.load(inProcess.export(tmp.resolve("export"))));
  }

  private TrainSpec trainSpec() {
    return TrainSpec.finetune(DataSpec.folder(tmp.resolve("data")), tmp.resolve("run"), 1, 2);
  }

  /**
   * Both kinds tell their preprocessing, and a batch built of {@code preprocess} images gives through
   * {@code logits} what {@code classify} gives for each image (in process) and the same logits from the export.
   */
  @Test
  void aBatchOfPreprocessedImagesGivesTheLogitsClassifyGives() throws IOException {
    Preprocessing registered = ModelRegistry.get(MODEL).preprocessing();
    List<Path> files = List.of(tmp.resolve("circle.png"), tmp.resolve("square.png"));
    Random random = new Random(5);
    for (Path file : files) {
      ImageIO.write(StmzooTest.shapeImage(file.endsWith("circle.png"), random), "png", file.toFile());
    }
    List<StmzooModel> models = bothKinds();
    try (StmzooModel inProcess = models.get(0); StmzooModel export = models.get(1)) {
      FloatNdArray batch = NdArrays.ofFloats(Shape.of(files.size(), SIZE, SIZE, 3));
      for (int i = 0; i < files.size(); i++) {
        inProcess.preprocess(files.get(i)).copyTo(batch.get(i));
      }
      float[][] logits = inProcess.logits(batch);
      float[][] served = export.logits(batch);
      for (int i = 0; i < files.size(); i++) {
        List<Prediction> classified = inProcess.classify(files.get(i), 3);
        List<Prediction> fromBatch = Prediction.top(logits[i], inProcess.classNames(), 3);
        for (int c = 0; c < 3; c++) {
          assertThat(fromBatch.get(c).index()).isEqualTo(classified.get(c).index());
          assertThat(fromBatch.get(c).probability()).isCloseTo(classified.get(c).probability(), within(1e-5f));
        }
        assertThat(served[i]).containsExactly(logits[i], within(1e-4f));
      }
      // a list of images is that batch, in one run, for both kinds
      for (StmzooModel model : models) {
        List<List<Prediction>> listed = model.classify(files, 3);
        assertThat(listed).hasSize(files.size());
        for (int i = 0; i < files.size(); i++) {
          List<Prediction> fromBatch = Prediction.top(logits[i], inProcess.classNames(), 3);
          for (int c = 0; c < 3; c++) {
            assertThat(listed.get(i).get(c).index()).isEqualTo(fromBatch.get(c).index());
            assertThat(listed.get(i).get(c).probability()).isCloseTo(fromBatch.get(c).probability(), within(1e-5f));
          }
        }
        assertThat(model.classify(List.of(), 3)).isEmpty();
      }
      assertThat(export.preprocess(files.get(0))).as("the same transform for both kinds")
          .isEqualTo(inProcess.preprocess(files.get(0)));
      for (StmzooModel model : models) {
        Preprocessing p = model.preprocessing();
        assertThat(p.mean()).containsExactly(registered.mean());
        assertThat(p.std()).containsExactly(registered.std());
        assertThat(p.cropPct()).isEqualTo(registered.cropPct());
        assertThat(p.interpolation()).isEqualTo(registered.interpolation());
      }
    }
  }

  /** finetune trains this model: a spec naming another was silently trained as this one (its args.json said so). */
  @Test
  void aFinetuneSpecNamingAnotherModelIsRefusedBeforeAnyWork() throws IOException {
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.random(0)).withImageSize(SIZE))) {
      Path run = tmp.resolve("run-deit");
      TrainSpec other = TrainSpec.of("deit-tiny", DataSpec.folder(tmp.resolve("no-data")), run, 1, 2);
      assertThatThrownBy(() -> model.finetune(other, TrainingListener.none()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the spec names model deit-tiny, but this model is " + MODEL);
      assertThat(run).doesNotExist();
    }
  }

  /** An export's folder where a checkpoint is read says what it is and how it is loaded. */
  @Test
  void anExportGivenAsACheckpointSaysHowToLoadIt() throws IOException {
    Path served = tmp.resolve("served");
    Path version = Stmzoo.export(ExportSpec.of(ModelSpec.of(MODEL, Weights.random(7)).withImageSize(SIZE), served))
        .directory();
    for (Path dir : List.of(served, version)) {
      String hint = dir + " is a SavedModel export, not an stmzoo checkpoint: load it with Stmzoo.load(dir) or run"
          + " predict --model-dir " + dir;
      assertThatThrownBy(() -> Stmzoo.load(ModelSpec.of(null, Weights.checkpoint(dir))))
          .isInstanceOf(IllegalArgumentException.class).hasMessage(hint);
      assertThatThrownBy(() -> Stmzoo.export(ExportSpec.of(ModelSpec.of(null, Weights.checkpoint(dir)),
          tmp.resolve("again")))).isInstanceOf(IllegalArgumentException.class).hasMessage(hint);
    }
  }

  @Test
  void everyEntryPointRefusesANullArgumentNamingIt() throws IOException {
    List<StmzooModel> models = bothKinds();
    try (StmzooModel inProcess = models.get(0); StmzooModel export = models.get(1)) {
      for (StmzooModel model : models) {
        refusesNull(() -> model.classify((Path) null, 1), "image");
        refusesNull(() -> model.classify((byte[]) null, 1), "encodedImage");
        refusesNull(() -> model.classify((BufferedImage) null, 1), "image");
        refusesNull(() -> model.classify((List<Path>) null, 1), "images");
        refusesNull(() -> model.classify(Arrays.asList(tmp.resolve("a.png"), null), 1), "an image of images");
        refusesNull(() -> model.features((Path) null), "image");
        refusesNull(() -> model.features((byte[]) null), "encodedImage");
        refusesNull(() -> model.features((BufferedImage) null), "image");
        refusesNull(() -> model.logits(null), "normalisedBatch");
        refusesNull(() -> model.finetune(null, TrainingListener.none()), "spec");
        refusesNull(() -> model.finetune(trainSpec(), null), "listener");
        refusesNull(() -> model.finetune(trainSpec(), TrainingListener.none(), null), "log");
        refusesNull(() -> model.export(null), "baseDir");
        refusesNull(() -> model.preprocess((Path) null), "image");
        refusesNull(() -> model.preprocess((byte[]) null), "encodedImage");
        refusesNull(() -> model.preprocess((BufferedImage) null), "image");
      }
    }
    refusesNull(() -> Stmzoo.load((Path) null), "path");
    refusesNull(() -> Stmzoo.loadExport(null), "dir");
    refusesNull(() -> Stmzoo.load((ModelSpec) null), "spec");
    refusesNull(() -> Stmzoo.export(null), "spec");
  }

  private static void refusesNull(ThrowingCallable call, String parameter) {
    assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(parameter);
  }

  @Test
  void aClosedModelRefusesToRunOrBuildButAnswersItsAccessors() throws IOException {
    Path image = tmp.resolve("image.png");
    ImageIO.write(new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    for (StmzooModel model : bothKinds()) {
      model.close();
      model.close(); // a second close does nothing
      String closed = "the model " + MODEL + " is closed";
      for (ThrowingCallable run : List.<ThrowingCallable>of(() -> model.classify(image, 1),
          () -> model.classify(List.of(image), 1), () -> model.features(image), () -> model.logits(NdArrays.ofFloats(Shape.of(1, SIZE, SIZE, 3))),
          () -> model.export(tmp.resolve("after-close")),
          () -> model.finetune(trainSpec(), TrainingListener.none(), new PrintStream(PrintStream.nullOutputStream())))) {
        assertThatThrownBy(run).isInstanceOf(IllegalStateException.class).hasMessage(closed);
      }
      assertThat(tmp.resolve("after-close")).doesNotExist();
      assertThat(model.name()).isEqualTo(MODEL);
      assertThat(model.imageSize()).isEqualTo(SIZE);
      assertThat(model.classNames()).containsExactly("a", "b", "c");
      assertThat(model.preprocessing().cropPct()).isEqualTo(ModelRegistry.get(MODEL).preprocessing().cropPct());
      assertThat(model.preprocess(image).shape()).isEqualTo(Shape.of(SIZE, SIZE, 3));
    }
  }
}
