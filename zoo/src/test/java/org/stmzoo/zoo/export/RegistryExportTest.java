package org.stmzoo.zoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.ExportRequest;
import org.stmzoo.export.ExportRunner;
import org.stmzoo.export.ImagePipeline;
import org.stmzoo.export.ProbeImages;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ExportRequests;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * For one variant of every family: weights of an ordinary in-process model (training-capable graph) go through
 * a checkpoint into an export, which a fresh JVM reloads; its logits must equal the in-process model's.
 * Small inputs (the smallest size the architecture takes) and 10 classes keep it cheap.
 */
class RegistryExportTest {
  private static final int CLASSES = 10;

  @TempDir
  Path dir;

  static Stream<ModelEntry> onePerFamily() {
    Map<String, ModelEntry> first = new LinkedHashMap<>();
    ModelRegistry.all().forEach(e -> first.putIfAbsent(e.family(), e));
    return first.values().stream();
  }

  /** The smallest square input the architecture accepts, searched from 32 up to its default size. */
  static int smallestSize(ModelEntry entry) {
    return IntStream.rangeClosed(32, entry.defaultImageSize())
        .filter(s -> entry.imageSizeRule().apply(s).isEmpty())
        .findFirst().orElse(entry.defaultImageSize());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("onePerFamily")
  void freshJvmReloadEqualsInProcessModel(ModelEntry entry) throws IOException {
    int size = smallestSize(entry);
    ModelOptions options = ModelOptions.imagenet().withImageSize(size).withNumClasses(CLASSES);
    Path prefix = dir.resolve("checkpoint").resolve("model");
    Files.createDirectories(prefix.getParent());
    float[][] expected;
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, graph, 21L, -1, false);
      CheckpointOps checkpoint = CheckpointOps.build(built.model(), "checkpoint", built.model().modelVariables());
      try (Session session = new Session(graph);
          TFloat32 probe = ProbeImages.create(2, size, size);
          TFloat32 input = ImagePipeline.normaliseOnHost(probe, entry.preprocessing())) {
        session.runner().addTarget(built.model().initializer()).run();
        checkpoint.save(session, prefix.toString());
        try (Tensor logits = session.runner().feed(built.images(), input).fetch(built.output().logits()).run().get(0)) {
          expected = ClassifierOutputs.toMatrix((TFloat32) logits);
        }
      }
    }
    // A different seed: every value must come from the checkpoint, not from a matching random init.
    ExportRequest request = ExportRequests.of(entry, size, ExportRequest.numberedClasses(CLASSES),
        WeightSource.checkpoint(prefix), 99L);
    SavedModelExporter.export(request, dir.resolve("served"), 1);

    ClassifierOutputs fresh = ExportRunner.inFreshJvm(dir.resolve("served"), "--probe", "2");
    double diff = ClassifierOutputs.maxAbsDifference(expected, fresh.logits());
    System.out.printf("%s at %dx%d: fresh-JVM export vs in-process, max |logit diff| = %.3g%n",
        entry.name(), size, size, diff);
    assertThat(diff).isLessThanOrEqualTo(1e-5);
    assertThat(fresh.classes()[0]).hasSize(5);
  }
}
