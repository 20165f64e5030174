package org.stmzoo.layers.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte bounds of {@link InputFiles} against a reader that skips backwards or a file no array can hold. */
class InputFilesTest {
  @TempDir Path dir;

  @Test
  void skippingBackwardsDoesNotBuyMoreBytesThanTheLimit() throws IOException {
    Path file = Files.write(dir.resolve("f.bin"), new byte[500]);
    try (InputStream in = InputFiles.bounded(Files.newInputStream(file), file, 100, "-Dknob=N")) {
      assertThat(in.readNBytes(80)).hasSize(80);
      assertThat(in.skip(-80)).isEqualTo(-80); // the file's stream goes back
      assertThatThrownBy(() -> in.readNBytes(80)).isInstanceOf(InputLimitException.class)
          .hasMessageContaining("-Dknob=N");
    }
  }

  @Test
  void aFileLargerThanAnArrayIsRefusedWithoutBlamingALimitThatWouldNotHelp() throws IOException {
    Path file = dir.resolve("sparse.bin");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(Integer.MAX_VALUE); // sparse: no disk used
    }
    assertThatThrownBy(() -> InputFiles.readAll(file, 4L << 30, "-Dknob=N"))
        .isInstanceOf(InputFileException.class)
        .hasMessageContaining("more than one Java array holds")
        .hasMessageNotContaining("-Dknob=N");
    assertThatThrownBy(() -> InputFiles.readAll(file, 1000, "-Dknob=N")).isInstanceOf(InputLimitException.class)
        .hasMessageContaining("-Dknob=N");
  }
}
