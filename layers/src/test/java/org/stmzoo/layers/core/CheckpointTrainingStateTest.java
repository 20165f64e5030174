package org.stmzoo.layers.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training state of a checkpoint's metadata: which weights its eval score is of, as written and as read. */
class CheckpointTrainingStateTest {
  private static final Path NAME = Path.of("stmzoo-checkpoint.json");

  private static CheckpointFolder.Metadata parse(String json) {
    return CheckpointMetadata.parse(json.getBytes(StandardCharsets.UTF_8), NAME);
  }

  private static String withTraining(String training) {
    return """
        {"formatVersion": 1, "model": "deit-tiny", "numClasses": 2, "imageSize": 32, "inChannels": 3,
         "training": %s}
        """.formatted(training);
  }

  @Test
  void aScoreOfTheEmaWeightsIsWrittenAndReadBack() throws Exception {
    CheckpointFolder.Training scoredEma = new CheckpointFolder.Training(10, 1, 50.0, true, true);
    String json = CheckpointFolder.metadataJson(CheckpointFolder.Metadata.of("deit-tiny", 2, 32, 3,
        List.of("a", "b"), "test").withTraining(scoredEma));
    assertThat(json).contains("\"evalEma\" : true");
    assertThat(parse(json).training()).isEqualTo(scoredEma);
  }

  @Test
  void metadataWrittenBeforeEvalEmaWasRecordedMeansTheLiveWeights() {
    CheckpointFolder.Training old = parse(withTraining(
        "{\"step\": 10, \"epochsDone\": 1, \"evalTop1\": 50.0, \"ema\": true}")).training();
    assertThat(old.ema()).isTrue();
    assertThat(old.evalEma()).isFalse();
  }

  @Test
  void aScoreOfEmaWeightsTheCheckpointDoesNotHoldIsRefused() {
    assertThatThrownBy(() -> parse(withTraining(
        "{\"step\": 10, \"epochsDone\": 1, \"evalTop1\": 50.0, \"ema\": false, \"evalEma\": true}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(NAME + ": training says its evaluations scored EMA weights (evalEma) it does not hold"
            + " (ema false)");
  }
}
