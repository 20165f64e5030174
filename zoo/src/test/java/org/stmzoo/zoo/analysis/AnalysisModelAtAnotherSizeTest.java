package org.stmzoo.zoo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.ModelVariable;
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
 * A checkpoint opened for the analyses at another image size than it was written for: its position embedding
 * resized as the importer resizes a published one (as {@code train --init} at another size does), every other
 * tensor as it is, the checkpoint's head kept; a head that does not fit is an error, not a fresh head.
 */
class AnalysisModelAtAnotherSizeTest {
  private static final String MODEL = "deit-tiny";
  /** deit-tiny's width. */
  private static final int CHANNELS = 192;

  @TempDir
  Path tmp;

  /** deit-tiny at 32 px with 3 classes, freshly initialised (a class token and a 2x2 grid of patch positions). */
  private static Map<String, float[]> writeDeit32(Path checkpoint, CheckpointFolder.Metadata metadata)
      throws IOException {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      BuiltModel built = BuiltModel.build(ModelRegistry.get(MODEL), new ModelOptions(3, 3, 32, null), graph, 3L, -1,
          true);
      session.run(built.model().initializer());
      StmzooCheckpoint.write(checkpoint, session, built, metadata == null
          ? StmzooCheckpoint.metadataFor(built, List.of("a", "b", "c"), "test") : metadata);
      return values(session, built.model().modelVariables());
    }
  }

  private static Map<String, float[]> values(Session session, List<ModelVariable> variables) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ModelVariable v : variables) {
      try (TFloat32 t = (TFloat32) session.runner().fetch(v.value()).run().get(0)) {
        out.put(v.path(), Batches.values(t));
      }
    }
    return out;
  }

  private static AnalysisModel.Spec at(Path checkpoint, int size) {
    return new AnalysisModel.Spec(null, new AnalysisModel.Weights.Checkpoint(checkpoint, false), size, null);
  }

  @Test
  void aDeitCheckpointAt32pxOpensAt48pxWithItsPositionEmbeddingResizedAndEverythingElseAsItWas()
      throws IOException {
    Path checkpoint = tmp.resolve("deit32");
    Map<String, float[]> written = writeDeit32(checkpoint, null);
    try (AnalysisModel model = AnalysisModel.open(at(checkpoint, 48))) {
      assertThat(model.imageSize()).isEqualTo(48);
      assertThat(model.numClasses()).isEqualTo(3);
      Map<String, float[]> opened = values(model.session(), model.built().model().modelVariables());
      assertThat(opened.keySet()).containsExactlyElementsOf(written.keySet());
      long[] shape48 = {1, 1 + 3 * 3, CHANNELS};
      RawTensor expected = EmbeddingResize.tokenGrid().resize(new RawTensor(new long[] {1, 1 + 2 * 2, CHANNELS},
          written.get("pos_embed")), shape48);
      assertThat(expected.shape()).containsExactly(shape48);
      assertThat(opened.get("pos_embed")).containsExactly(expected.values(), within(1e-6f));
      written.forEach((path, v) -> {
        if (!path.equals("pos_embed")) {
          assertThat(opened.get(path)).as(path).containsExactly(v);
        }
      });
      assertThat(model.notes()).containsExactly("pos_embed: resized from [1, 5, 192] to [1, 10, 192] as the"
          + " importer resizes it for another image size");
    }
  }

  @Test
  void aHeadThatDoesNotFitAtAnotherSizeIsAnErrorNamingIt() throws IOException {
    // tensors of 3 classes under metadata of 2: the model opened has 2 outputs, the checkpoint's head 3
    Path checkpoint = tmp.resolve("deit32-mislabelled");
    writeDeit32(checkpoint, CheckpointFolder.Metadata.of(MODEL, 2, 32, 3, List.of("a", "b"), "test"));
    assertThatThrownBy(() -> AnalysisModel.open(at(checkpoint, 48)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("head/kernel [192, 3] vs [192, 2]")
        .hasMessageContaining("head/bias [3] vs [2]");
  }
}
