package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputLimitException;

/**
 * Hostile CIFAR-10 folders: a FIFO, a link to a device or a folder in place of a record file, a batch number
 * longer than a long, a class list that is not UTF-8, more bytes than the limit; each one clear line naming the
 * file, none blocking or running out of memory.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked FIFO open ignores interrupts
class HostileCifarTest {
  @TempDir Path dir;

  private static byte[] records(int count) {
    byte[] bytes = new byte[count * Cifar10Binary.RECORD_BYTES];
    for (int i = 0; i < count; i++) {
      bytes[i * Cifar10Binary.RECORD_BYTES] = (byte) i;
    }
    return bytes;
  }

  private Path fifo(String name) throws Exception {
    Path fifo = dir.resolve(name);
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    return fifo;
  }

  @Test
  void aFifoInPlaceOfARecordFileIsRefusedWithoutBlocking() throws Exception {
    Path train = fifo("data_batch_1.bin");
    assertThatThrownBy(() -> Cifar10Binary.load(dir, true)).isInstanceOf(InputFileException.class)
        .hasMessage(train + ": is not a regular file (a FIFO, socket or device); only regular files are read");
    Path test = fifo("test_batch.bin");
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).isInstanceOf(InputFileException.class)
        .hasMessage(test + ": is not a regular file (a FIFO, socket or device); only regular files are read");
  }

  @Test
  void aLinkToADeviceAndAFolderAreRefusedInOneLine() throws IOException {
    Path zero = Files.createSymbolicLink(dir.resolve("data_batch_1.bin"), Path.of("/dev/zero"));
    assertThatThrownBy(() -> Cifar10Binary.load(dir, true)).isInstanceOf(InputFileException.class)
        .hasMessage(zero + ": is not a regular file (a FIFO, socket or device); only regular files are read");
    Files.delete(zero);
    Path folder = Files.createDirectory(dir.resolve("data_batch_1.bin"));
    assertThatThrownBy(() -> Cifar10Binary.load(dir, true)).isInstanceOf(InputFileException.class)
        .hasMessage(folder + ": is a directory, not a file");
    Path dangling = Files.createSymbolicLink(dir.resolve("test_batch.bin"), dir.resolve("gone"));
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).isInstanceOf(InputFileException.class)
        .hasMessage(dangling + ": no such file");
  }

  @Test
  void batchNumbersOfAnyLengthAreOrderedAsNumbers() throws IOException {
    Files.write(dir.resolve("data_batch_99999999999.bin"), records(1));
    Files.write(dir.resolve("data_batch_10.bin"), records(3));
    Files.write(dir.resolve("data_batch_9.bin"), records(2));
    Cifar10Binary train = Cifar10Binary.load(dir, true);
    assertThat(train.size()).isEqualTo(6);
    // batch 9's records (labels 0, 1), then batch 10's (0, 1, 2), then the long one's (0)
    assertThat(train.get(1).label()).isEqualTo(1);
    assertThat(train.get(4).label()).isEqualTo(2);
    assertThat(train.get(5).label()).isZero();
  }

  @Test
  void theClassListMustBeUtf8AndHoldNames() throws Exception {
    Files.write(dir.resolve("test_batch.bin"), records(1));
    Path meta = Files.write(dir.resolve("batches.meta.txt"), new byte[] {'c', 'a', 't', '\n', (byte) 0xe9, '\n'});
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).isInstanceOf(InputFileException.class)
        .hasMessage(meta + ": not valid UTF-8 (at byte 4)");
    Files.write(meta, new byte[] {'\n', ' ', '\n'});
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).isInstanceOf(InputFileException.class)
        .hasMessage(meta + ": holds no class names (one a line expected)");
    Files.write(meta, "\uFEFFa\r\nb\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Cifar10Binary.load(dir, false).classNames()).containsExactly("a", "b");
    Files.delete(meta);
    fifo("batches.meta.txt");
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).hasMessageContaining("not a regular file");
  }

  @Test
  void theRecordFilesOfASplitTogetherAreWithinTheByteLimit() throws IOException {
    Files.write(dir.resolve("data_batch_1.bin"), records(2));
    Files.write(dir.resolve("data_batch_2.bin"), records(2));
    System.setProperty("stmzoo.limit.cifar-bytes", String.valueOf(3 * Cifar10Binary.RECORD_BYTES));
    try {
      assertThatThrownBy(() -> Cifar10Binary.load(dir, true)).isInstanceOf(InputLimitException.class)
          .hasMessage(dir.toAbsolutePath() + ": the 2 CIFAR-10 record files hold 12292 bytes, more than the limit"
              + " of 9219 bytes (-Dstmzoo.limit.cifar-bytes=N)");
    } finally {
      System.clearProperty("stmzoo.limit.cifar-bytes");
    }
    assertThat(Cifar10Binary.load(dir, true).size()).isEqualTo(4);
  }
}
