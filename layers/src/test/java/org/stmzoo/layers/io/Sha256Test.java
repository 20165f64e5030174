package org.stmzoo.layers.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file digest every integrity check compares: the standard SHA-256, of regular files only. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked FIFO open ignores interrupts
class Sha256Test {
  @TempDir Path dir;

  @Test
  void theDigestIsTheStandardOneInLowerCaseHex() throws IOException {
    assertThat(Sha256.ofFile(Files.writeString(dir.resolve("abc"), "abc")))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // FIPS 180-2, B.1
    // more than one 64 KiB block
    assertThat(Sha256.ofFile(Files.write(dir.resolve("zeros"), new byte[200_000])))
        .isEqualTo("4cbbd9be0cba685835755f827758705db5a413c5494c34262cd25946a73e7582");
  }

  @Test
  void aFifoOrAFolderIsRefusedInOneLine() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> Sha256.ofFile(fifo)).isInstanceOf(InputFileException.class)
        .hasMessage(fifo + ": is not a regular file (a FIFO, socket or device); only regular files are read");
    assertThatThrownBy(() -> Sha256.ofFile(dir)).isInstanceOf(InputFileException.class)
        .hasMessage(dir + ": is a directory, not a file");
  }
}
