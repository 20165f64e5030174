package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.EmbeddingResize;
import org.stmzoo.zoo.weights.RawTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * {@code train --init} from a checkpoint made at another image size keeps its learned position embedding, resized
 * as the importer resizes a published one (DeiT's {@code --finetune} interpolates {@code pos_embed} too), and
 * re-initialises only the head of another class count; a head of the same count trained on other class names, or
 * on the same names in another order, is re-initialised too (its outputs would answer for the wrong classes).
 */
class InitAtAnotherSizeTest {
  private static final String MODEL = "deit-tiny";
  /** deit-tiny with DeiT's distillation token and head: a student that distils. */
  private static final String DISTILLED = "deit-tiny-distilled";
  /** deit-tiny's width. */
  private static final int CHANNELS = 192;

  @TempDir
  Path tmp;

  private static float[] value(Session session, BuiltModel built, String path) {
    try (TFloat32 t = (TFloat32) session.runner().fetch(built.model().variables().get(path).value()).run().get(0)) {
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  /**
   * {@code model} at 32 px for {@code classes}, freshly initialised (seed 3) and written to {@code dir}; returns
   * the initial values of the variables {@code paths}.
   */
  private static Map<String, float[]> freshCheckpoint(String model, List<String> classes, Path dir,
      String... paths) throws IOException {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(model), new ModelOptions(classes.size(), 3, 32, null),
          graph, 3L, -1, true);
      session.run(built.model().initializer());
      Map<String, float[]> values = new LinkedHashMap<>();
      for (String path : paths) {
        values.put(path, value(session, built, path));
      }
      StmzooCheckpoint.write(dir, session, built, StmzooCheckpoint.metadataFor(built, classes, "test"));
      return values;
    }
  }

  @Test
  void aDeitCheckpointAt32pxInitialisesA48pxRunWithItsPositionEmbeddingResized() throws IOException {
    // deit-tiny at 32 px, 3 classes, freshly initialised: a class token and a 2x2 grid of patch positions
    Path checkpoint = tmp.resolve("deit32");
    Map<String, float[]> initial = freshCheckpoint(MODEL, List.of("a", "b", "c"), checkpoint, "pos_embed",
        "cls_token");
    float[] posEmbed32 = initial.get("pos_embed");
    float[] clsToken = initial.get("cls_token");

    Path run = tmp.resolve("run");
    String log = trainOneStillStep(checkpoint, run, 48);

    float[] posEmbed48;
    float[] clsToken48;
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(MODEL), new ModelOptions(2, 3, 48, null), graph, 0L, -1,
          true);
      StmzooCheckpoint.read(run.resolve(RunDirectory.LAST)).restore(session, built, false);
      posEmbed48 = value(session, built, "pos_embed");
      clsToken48 = value(session, built, "cls_token");
    }
    long[] shape48 = {1, 1 + 3 * 3, CHANNELS};
    RawTensor expected = EmbeddingResize.tokenGrid().resize(new RawTensor(new long[] {1, 1 + 2 * 2, CHANNELS},
        posEmbed32), shape48);
    assertThat(expected.shape()).containsExactly(shape48);
    assertThat(posEmbed48).containsExactly(expected.values(), within(1e-6f));
    assertThat(clsToken48).containsExactly(clsToken, within(1e-6f));
    assertThat(log)
        .contains("the checkpoint has 3 classes, this run 2: the head is re-initialised")
        .contains("; re-initialised (shape differs): head/kernel [192, 3] vs [192, 2], head/bias [3] vs [2]")
        .contains("note: pos_embed: resized from [1, 5, 192] to [1, 10, 192] as the importer resizes it for"
            + " another image size")
        .doesNotContain("pos_embed [1, 5, 192] vs");
  }

  /**
   * The teacher's variables share the training graph but are never in a checkpoint: only the student's are
   * restored from {@code --init} (restoring every variable of the graph failed on {@code teacher/...}).
   */
  @Test
  void aCheckpointInitialisesARunThatDistilsFromATeacher() throws IOException {
    Path checkpoint = tmp.resolve("deit32");
    float[] clsToken = freshCheckpoint(DISTILLED, List.of("circle", "square"), checkpoint, "cls_token")
        .get("cls_token");
    RecipeConfig distil = new RecipeConfig(1, 2, 1e-12, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, false, 0.5, false,
        new RecipeConfig.Distillation("hard", 0.5, 1.0), 0);
    TrainSpec plain = TrainSpec.of(DISTILLED, DataSpec.folder(StmzooTest.tinyFolder(tmp.resolve("shapes"), 1)),
        tmp.resolve("run"), 1, 2).withImageSize(32).withInit(Weights.checkpoint(checkpoint)).withRecipe(distil)
        .withAugmentation(null, 1f).withCropPct(1f).withThreads(1);
    TrainSpec spec = new TrainSpec(plain.model(), plain.init(), false, plain.data(), plain.imageSize(),
        plain.dropPath(), plain.output(), plain.recipe(), plain.autoAugment(), plain.minScale(), plain.cropPct(),
        checkpoint, plain.threads(), plain.downloads(), plain.parallelism(), 0);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Training.run(spec, TrainingListener.none(), new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(log.toString(StandardCharsets.UTF_8)).contains("Initialised from");
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(DISTILLED), new ModelOptions(2, 3, 32, null), graph, 0L, -1,
          true);
      StmzooCheckpoint.read(tmp.resolve("run").resolve(RunDirectory.LAST)).restore(session, built, false);
      assertThat(value(session, built, "cls_token")).containsExactly(clsToken, within(1e-6f));
    }
  }

  /**
   * A checkpoint of two classes initialising a run on the data's [circle, square]: its head was kept when only the
   * count was compared, the checkpoint's "triangle" (or "square" in first place) output then trained as another class.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "circle,triangle | the checkpoint was trained on classes [circle, triangle], this run on classes [circle, square]"
          + " (only this run has classes [square], only the checkpoint classes [triangle]): the head is re-initialised",
      "square,circle | the checkpoint has this run's classes in another order (classes [square, circle], this run"
          + " classes [circle, square]): the head is re-initialised"})
  void aCheckpointOfOtherClassNamesOfTheSameCountInitialisesARunWithAFreshHead(String checkpointClasses,
      String expectedLog) throws IOException {
    Path checkpoint = tmp.resolve("deit32");
    Map<String, float[]> initial = freshCheckpoint(MODEL, List.of(checkpointClasses.split(",")), checkpoint,
        "head/kernel", "cls_token");
    Path run = tmp.resolve("run");
    assertThat(trainOneStillStep(checkpoint, run, 32)).contains(expectedLog);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(MODEL), new ModelOptions(2, 3, 32, null), graph, 0L, -1,
          true);
      StmzooCheckpoint.read(run.resolve(RunDirectory.LAST)).restore(session, built, false);
      assertThat(value(session, built, "cls_token")).containsExactly(initial.get("cls_token"), within(1e-6f));
      assertThat(value(session, built, "head/kernel")).isNotEqualTo(initial.get("head/kernel"));
    }
  }

  /**
   * {@code run}: one step from {@code checkpoint} at {@code size} on two tiny images, at a learning rate far below
   * float32's resolution of the weights, so that last/ holds the initial weights; the training log.
   */
  private String trainOneStillStep(Path checkpoint, Path run, int size) throws IOException {
    RecipeConfig still = new RecipeConfig(1, 2, 1e-12, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, false, 0.5, false,
        RecipeConfig.Distillation.none(), 0);
    TrainSpec spec = TrainSpec.of(MODEL, DataSpec.folder(StmzooTest.tinyFolder(tmp.resolve("shapes"), 1)), run, 1, 2)
        .withImageSize(size).withInit(Weights.checkpoint(checkpoint)).withRecipe(still).withAugmentation(null, 1f)
        .withCropPct(1f).withThreads(1);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Training.run(spec, TrainingListener.none(), new PrintStream(log, true, StandardCharsets.UTF_8));
    return log.toString(StandardCharsets.UTF_8);
  }
}
