package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stmzoo.recipes.RecipeConfig;

/**
 * Each {@code with...} method of the API's specs changes its own components and keeps every other one: the specs
 * are copied through positional constructors, where two neighbouring components of one type (TrainSpec's Floats or
 * Paths, ExportSpec's stream counts) would swap without a compile error. The bases hold distinct non-null values,
 * and each method sets a value no component of the base holds, so that a swap shows on both sides.
 */
class SpecWithMethodsTest {
  private static final Weights CHECKPOINT = Weights.checkpoint(Path.of("checkpoint"));
  private static final Downloads OFFLINE = Downloads.fromEnvironment().withOffline(true);

  @Test
  void eachTrainSpecWithMethodChangesOnlyItsOwnComponents() {
    TrainSpec base = new TrainSpec("deit-tiny", Weights.random(7), false, DataSpec.folder(Path.of("images")), 48,
        0.1f, Path.of("run"), RecipeConfig.deit(3, 8), "rand-m7", 0.3f, 0.9f, Path.of("teacher"), 3,
        Downloads.fromEnvironment(), Parallelism.chains(2), 100);
    RecipeConfig recipe = RecipeConfig.deit(5, 16);

    assertChangesOnly(base, base.withModel("u-convnext-micro"), Map.of("model", "u-convnext-micro"));
    assertChangesOnly(base, base.withInit(CHECKPOINT), Map.of("init", CHECKPOINT));
    assertChangesOnly(base, base.withResume(true), Map.of("resume", true));
    assertChangesOnly(base, base.withImageSize(64), Map.of("imageSize", 64));
    assertChangesOnly(base, base.withDropPath(0.2f), Map.of("dropPath", 0.2f));
    assertChangesOnly(base, base.withDistillTeacher(Path.of("other-teacher")),
        Map.of("distillTeacher", Path.of("other-teacher")));
    assertChangesOnly(base, base.withRecipe(recipe), Map.of("recipe", recipe));
    assertChangesOnly(base, base.withAugmentation("rand-m5", 0.5f),
        Map.of("autoAugment", "rand-m5", "minScale", 0.5f));
    assertChangesOnly(base, base.withCropPct(0.8f), Map.of("cropPct", 0.8f));
    assertChangesOnly(base, base.withThreads(5), Map.of("threads", 5));
    assertChangesOnly(base, base.withParallelism(Parallelism.chains(4)), Map.of("parallelism", Parallelism.chains(4)));
    assertChangesOnly(base, base.withDownloads(OFFLINE), Map.of("downloads", OFFLINE));
    assertChangesOnly(base, base.withSaveEverySteps(50), Map.of("saveEverySteps", 50));
    assertThat(withMethods(TrainSpec.class)).as("a new with... method needs its case above")
        .containsExactlyInAnyOrder("withModel", "withInit", "withResume", "withImageSize", "withDropPath",
            "withDistillTeacher", "withRecipe", "withAugmentation", "withCropPct", "withThreads", "withParallelism", "withDownloads", "withSaveEverySteps");
  }

  @Test
  void eachModelSpecWithMethodChangesOnlyItsOwnComponents() {
    ModelSpec base = new ModelSpec("deit-tiny", CHECKPOINT, 48, List.of("cat", "dog"), Downloads.fromEnvironment(),
        InferenceSpeed.latency(2));

    assertChangesOnly(base, base.withImageSize(64), Map.of("imageSize", 64));
    assertChangesOnly(base, base.withClassNames(List.of("ant")), Map.of("classNames", List.of("ant")));
    assertChangesOnly(base, base.withDownloads(OFFLINE), Map.of("downloads", OFFLINE));
    assertChangesOnly(base, base.withSpeed(InferenceSpeed.batches(3)), Map.of("speed", InferenceSpeed.batches(3)));
    assertThat(withMethods(ModelSpec.class)).as("a new with... method needs its case above")
        .containsExactlyInAnyOrder("withImageSize", "withClassNames", "withDownloads", "withSpeed");
  }

  @Test
  void eachExportSpecWithMethodChangesOnlyItsOwnComponents() {
    ExportSpec base = new ExportSpec(ModelSpec.of("deit-tiny", CHECKPOINT), Path.of("export"), 2, 3, 4, false);

    assertChangesOnly(base, base.withVersion(5), Map.of("version", 5L));
    assertChangesOnly(base, base.withRowStreams(6), Map.of("rowStreams", 6));
    assertChangesOnly(base, base.withBatchStreams(7), Map.of("batchStreams", 7));
    assertChangesOnly(base, base.withFusedLayerNorm(true), Map.of("fusedLayerNorm", true));
    assertThat(withMethods(ExportSpec.class)).as("a new with... method needs its case above")
        .containsExactlyInAnyOrder("withVersion", "withRowStreams", "withBatchStreams", "withFusedLayerNorm");
  }

  @Test
  void eachEvalSpecWithMethodChangesOnlyItsOwnComponents() {
    EvalSpec base = new EvalSpec(Path.of("run"), "images", true, 0.9f, 32, 100);

    assertChangesOnly(base, base.withData("fashion-mnist"), Map.of("data", "fashion-mnist"));
    assertChangesOnly(base, base.withEma(false), Map.of("ema", false));
    assertChangesOnly(base, base.withCropPct(0.8f), Map.of("cropPct", 0.8f));
    assertChangesOnly(base, base.withBatchSize(16), Map.of("batchSize", 16));
    assertChangesOnly(base, base.withLimit(10), Map.of("limit", 10));
    assertThat(withMethods(EvalSpec.class)).as("a new with... method needs its case above")
        .containsExactlyInAnyOrder("withData", "withEma", "withCropPct", "withBatchSize", "withLimit");
  }

  @Test
  void eachDataSpecWithMethodChangesOnlyItsOwnComponents() {
    // A validation folder and a validation split exclude each other: one base for each.
    DataSpec withFolder = new DataSpec("images", Path.of("val"), null, 10, 20);
    DataSpec withSplit = new DataSpec("images", null, 0.2, 10, 20);

    assertChangesOnly(withFolder, withFolder.withVal(Path.of("other")), Map.of("val", Path.of("other")));
    assertChangesOnly(withSplit, withSplit.withValSplit(0.3), Map.of("valSplit", 0.3));
    assertChangesOnly(withFolder, withFolder.withLimits(30, 40), Map.of("limitTrain", 30, "limitVal", 40));
    assertThat(withMethods(DataSpec.class)).as("a new with... method needs its case above")
        .containsExactlyInAnyOrder("withVal", "withValSplit", "withLimits");
  }

  /** {@code changed} holds {@code expected} (by component name, each unlike {@code base}'s) and base's others. */
  private static <R extends Record> void assertChangesOnly(R base, R changed, Map<String, Object> expected) {
    RecordComponent[] components = base.getClass().getRecordComponents();
    assertThat(Arrays.stream(components).map(RecordComponent::getName)).containsAll(expected.keySet());
    for (RecordComponent component : components) {
      String name = component.getName();
      Object before = value(component, base);
      Object after = value(component, changed);
      if (expected.containsKey(name)) {
        assertThat(before).as("the base's %s, which the change must replace", name).isNotEqualTo(expected.get(name));
        assertThat(after).as(name).isEqualTo(expected.get(name));
      } else {
        assertThat(after).as("%s, which the change must keep", name).isEqualTo(before);
      }
    }
  }

  private static Object value(RecordComponent component, Record record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** The public {@code with...} methods {@code type} declares. */
  private static List<String> withMethods(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getName().startsWith("with"))
        .map(Method::getName)
        .toList();
  }
}
