package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API's specs refuse out-of-range values and missing required components when they are built, as the CLI
 * refuses its flags, and the runners refuse missing arguments before they read or write anything.
 */
class SpecRangeChecksTest {
  private static final Path RUN = Path.of("run");

  @Test
  void anEvalSpecRefusesACropOutsideZeroToOneAndALimitBelowOne() {
    for (float crop : new float[] {Float.NaN, 0f, -0.5f, 1.5f}) {
      assertThatThrownBy(() -> new EvalSpec(RUN, null, false, crop, 64, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("EvalSpec.cropPct must be in (0, 1], got " + crop);
    }
    assertThatThrownBy(() -> EvalSpec.of(RUN).withLimit(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EvalSpec.limit must be >= 1, got 0");
    assertThat(new EvalSpec(RUN, null, false, 1f, 64, 1).limit()).isEqualTo(1);
    assertThat(EvalSpec.of(RUN).withLimit(null).limit()).isNull();
  }

  @Test
  void aDataSpecRefusesLimitsBelowOne() {
    DataSpec folder = DataSpec.folder(Path.of("images"));
    assertThatThrownBy(() -> folder.withLimits(0, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DataSpec.limitTrain must be >= 1, got 0");
    assertThatThrownBy(() -> folder.withLimits(null, -3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DataSpec.limitVal must be >= 1, got -3");
    assertThat(folder.withLimits(1, 1).limitVal()).isEqualTo(1);
  }

  @Test
  void aTrainSpecRefusesAMinimumScaleOrCropOutsideZeroToOne() {
    TrainSpec spec = TrainSpec.of("deit-tiny", DataSpec.folder(Path.of("images")), RUN, 1, 2);
    assertThatThrownBy(() -> spec.withAugmentation(null, 0f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.minScale must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> spec.withAugmentation(null, Float.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.minScale must be in (0, 1], got NaN");
    assertThatThrownBy(() -> spec.withCropPct(1.01f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.cropPct must be in (0, 1], got 1.01");
    assertThatThrownBy(() -> spec.withCropPct(Float.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.cropPct must be in (0, 1], got NaN");
    assertThat(spec.withAugmentation(null, 1f).withCropPct(null).minScale()).isEqualTo(1f);
  }

  @Test
  void aTrainSpecRefusesANonPositiveImageSizeAndADropPathOutsideZeroToOne() {
    TrainSpec spec = TrainSpec.of("deit-tiny", DataSpec.folder(Path.of("images")), RUN, 1, 2);
    assertThatThrownBy(() -> spec.withImageSize(-5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.imageSize must be >= 1, got -5");
    assertThatThrownBy(() -> spec.withDropPath(1f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TrainSpec.dropPath must be in [0, 1), got 1.0");
    assertThat(spec.withImageSize(224).withDropPath(0f).dropPath()).isZero();
  }

  @Test
  void aTrainSpecRefusesMissingDataOrOutputByName() {
    DataSpec data = DataSpec.folder(Path.of("images"));
    assertThatThrownBy(() -> TrainSpec.finetune(null, RUN, 1, 2)).isInstanceOf(NullPointerException.class)
        .hasMessage("TrainSpec.data");
    assertThatThrownBy(() -> TrainSpec.of("deit-tiny", data, null, 1, 2)).isInstanceOf(NullPointerException.class)
        .hasMessage("TrainSpec.output");
    assertThatThrownBy(() -> TrainSpec.of("deit-tiny", data, RUN, 1, 2).withInit(null))
        .isInstanceOf(NullPointerException.class).hasMessage("TrainSpec.init");
  }

  @Test
  void trainingRefusesAMissingListenerOrLogOrATeacherWithoutDistillationBeforeItTouchesTheData(@TempDir Path tmp) {
    // the data folder does not exist: a run that got as far as reading it would fail on that instead
    TrainSpec spec = TrainSpec.of("deit-tiny", DataSpec.folder(tmp.resolve("no-images")), tmp.resolve("run"), 1, 2);
    assertThatThrownBy(() -> Training.run(spec, null, System.out)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("listener");
    assertThatThrownBy(() -> Training.run(spec, TrainingListener.none(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("log");
    assertThatThrownBy(() -> Training.run(spec.withDistillTeacher(tmp.resolve("teacher")), TrainingListener.none(),
        System.out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a teacher was given but the distillation type is 'none'");
    assertThat(Files.exists(tmp.resolve("run"))).isFalse();
  }

  @Test
  void anEvalSpecRefusesAMissingCheckpointAndEvaluationItsMissingArgumentsBeforeReadingIt(@TempDir Path tmp) {
    assertThatThrownBy(() -> EvalSpec.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("EvalSpec.checkpoint");
    assertThatThrownBy(() -> EvalSpec.of(RUN).withBatchSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch size must be positive, got 0");
    assertThatThrownBy(() -> Evaluation.run(null, System.out)).isInstanceOf(NullPointerException.class)
        .hasMessage("evalSpec");
    // no checkpoint there: an evaluation that got as far as resolving it would fail on that instead
    assertThatThrownBy(() -> Evaluation.run(EvalSpec.of(tmp.resolve("none")), null))
        .isInstanceOf(NullPointerException.class).hasMessage("log");
  }

  @Test
  void aModelSpecRefusesANonPositiveImageSizeAndNullOrRepeatedClassNames() {
    ModelSpec spec = ModelSpec.of("deit-tiny", Weights.random());
    assertThatThrownBy(() -> spec.withImageSize(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelSpec.imageSize must be >= 1, got -1");
    assertThatThrownBy(() -> spec.withClassNames(List.of("a", "b", "a"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelSpec.classNames names 'a' twice (again at index 2)");
    assertThatThrownBy(() -> spec.withClassNames(Arrays.asList("a", null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelSpec.classNames[1] is null");
    assertThat(spec.withImageSize(224).withClassNames(List.of("a", "b")).classNames()).containsExactly("a", "b");
    // a name and, with it, a size are checked as the spec is built, not when the model is loaded
    assertThatThrownBy(() -> spec.withImageSize(100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("deit-tiny cannot take image size 100");
    assertThatThrownBy(() -> ModelSpec.of("deit-tiniest", Weights.random())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown model 'deit-tiniest'; did you mean: deit-tiny");
  }

  @Test
  void anExportSpecRefusesAModelSpecSpeedInsteadOfDroppingIt() {
    ModelSpec fast = ModelSpec.of("deit-tiny", Weights.random()).withSpeed(InferenceSpeed.latency(2));
    assertThatThrownBy(() -> ExportSpec.of(fast, RUN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("an export does not take ModelSpec.speed").hasMessageContaining("withRowStreams");
    assertThat(ExportSpec.of(fast.withSpeed(null), RUN).withRowStreams(2).withFusedLayerNorm(true).rowStreams())
        .isEqualTo(2);
  }

  /** A null path or tag is refused where the weights are named, not as an NPE deep in loading. */
  @Test
  void weightsRefuseANullPathOrTagByName() {
    assertThatThrownBy(() -> Weights.checkpoint(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Weights.Checkpoint.path");
    assertThatThrownBy(() -> Weights.checkpointEma(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Weights.Checkpoint.path");
    assertThatThrownBy(() -> Weights.pretrained(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Weights.Pretrained.tag");
  }

  /**
   * A Downloads keeps only stmzoo's variables of the environment it is given: a spec holding it is printed and
   * logged, and printed every variable of the process (tokens included).
   */
  @Test
  void downloadsKeepOnlyStmzoosVariablesOfTheEnvironment() {
    Downloads downloads = new Downloads(java.util.Map.of("STMZOO_HOME", "/cache", "MY_SECRET_TOKEN", "hunter2"),
        true, null);
    assertThat(downloads.env()).containsExactly(java.util.Map.entry("STMZOO_HOME", "/cache"));
    assertThat(ModelSpec.of("pit-ti", Weights.random()).withDownloads(downloads).toString())
        .doesNotContain("hunter2").contains("STMZOO_HOME=/cache");
    assertThat(Downloads.fromEnvironment().env().keySet()).allMatch(k -> k.startsWith("STMZOO_"));
    assertThatThrownBy(() -> new Downloads(null, false, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Downloads.env");
  }

}
