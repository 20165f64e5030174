package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** ExportRunner's command line: a probe batch or image files, and one clear line for anything else. */
class ExportRunnerTest {
  @Test
  void probeTakesOnePositiveBatchSize() {
    ExportRunner.Arguments probe = ExportRunner.Arguments.parse("served", "out.pb", "--probe", "2");
    assertThat(probe.probeBatch()).isEqualTo(2);
    assertThat(probe.images()).isEmpty();

    // was an ArrayIndexOutOfBoundsException
    assertThatThrownBy(() -> ExportRunner.Arguments.parse("served", "out.pb", "--probe"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--probe takes one batch size, e.g. --probe 2");
    assertThatThrownBy(() -> ExportRunner.Arguments.parse("served", "out.pb", "--probe", "two"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--probe needs a positive batch size, got 'two'");
    assertThatThrownBy(() -> ExportRunner.Arguments.parse("served", "out.pb", "--probe", "0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--probe needs a positive batch size, got '0'");
    assertThatThrownBy(() -> ExportRunner.Arguments.parse("served", "out.pb"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected MODEL_DIR, OUT_FILE");
  }

  @Test
  void otherArgumentsAreImageFiles() {
    ExportRunner.Arguments images = ExportRunner.Arguments.parse("served", "out.pb", "a.png", "b.jpg");
    assertThat(images.probeBatch()).isZero();
    assertThat(images.images()).containsExactly(Path.of("a.png"), Path.of("b.jpg"));
    assertThat(images.modelDir()).isEqualTo(Path.of("served"));
    assertThat(images.outFile()).isEqualTo(Path.of("out.pb"));
  }
}
