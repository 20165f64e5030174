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
    CheckpointFolder.Training scoredEma = new CheckpointFolder.Training(10, 1, 50.0, true, true, null);
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
  void theSumsOfAnEpochSavedMidwayAreWrittenAndReadBackExactly() throws Exception {
    CheckpointFolder.EpochSoFar soFar = new CheckpointFolder.EpochSoFar(3, 96, 6.912345678901234, 0.1 + 0.2);
    CheckpointFolder.Training midEpoch = new CheckpointFolder.Training(11, 1, null, true, true, soFar);
    String json = CheckpointFolder.metadataJson(CheckpointFolder.Metadata.of("deit-tiny", 2, 32, 3,
        List.of("a", "b"), "test").withTraining(midEpoch));
    assertThat(json).contains("\"epochSoFar\"");
    assertThat(parse(json).training()).isEqualTo(midEpoch);
    // at an epoch's end there are none, and none are written
    assertThat(CheckpointFolder.metadataJson(CheckpointFolder.Metadata.of("deit-tiny", 2, 32, 3, List.of("a", "b"),
        "test").withTraining(new CheckpointFolder.Training(16, 2, null, true, true, null))))
        .doesNotContain("epochSoFar");
  }

  @Test
  void metadataWrittenBeforeTheEpochsSumsWereRecordedHasNone() {
    CheckpointFolder.Training old = parse(withTraining(
        "{\"step\": 11, \"epochsDone\": 1, \"ema\": false}")).training();
    assertThat(old.step()).isEqualTo(11);
    assertThat(old.epochSoFar()).isNull();
  }

  @Test
  void epochSumsOutOfRangeAreRefused() {
    for (String sums : new String[] {"{\"steps\": -1, \"images\": 0, \"lossSum\": 0, \"seconds\": 0}",
        "{\"steps\": 1, \"images\": 32, \"lossSum\": 2.3, \"seconds\": -1}",
        "{\"steps\": 1, \"images\": 32, \"lossSum\": \"NaN\", \"seconds\": 1}"}) {
      assertThatThrownBy(() -> parse(withTraining(
          "{\"step\": 11, \"epochsDone\": 1, \"ema\": false, \"epochSoFar\": " + sums + "}")))
          .as(sums).isInstanceOf(IllegalArgumentException.class)
          .hasMessage(NAME + ": training.epochSoFar holds a negative count or time, or a non-finite sum");
    }
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
