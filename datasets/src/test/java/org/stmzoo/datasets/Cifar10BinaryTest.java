package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10BinaryTest {
  @TempDir
  Path dir;

  /** A record whose channel c at pixel p holds (p + 50 c) mod 256. */
  private static byte[] record(int label) {
    byte[] r = new byte[Cifar10Binary.RECORD_BYTES];
    r[0] = (byte) label;
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < 1024; p++) {
        r[1 + c * 1024 + p] = (byte) ((p + 50 * c) % 256);
      }
    }
    return r;
  }

  private static byte[] concat(byte[]... parts) {
    byte[] all = new byte[parts.length * Cifar10Binary.RECORD_BYTES];
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, all, i * Cifar10Binary.RECORD_BYTES, Cifar10Binary.RECORD_BYTES);
    }
    return all;
  }

  @Test
  void readsRecordsAcrossBatchFilesAsHwc() throws IOException {
    Files.write(dir.resolve("data_batch_1.bin"), concat(record(3), record(7)));
    Files.write(dir.resolve("data_batch_2.bin"), concat(record(1)));
    Files.write(dir.resolve("test_batch.bin"), concat(record(5)));
    Cifar10Binary train = Cifar10Binary.load(dir, true);
    assertThat(train.size()).isEqualTo(3);
    assertThat(train.get(1).label()).isEqualTo(7);
    assertThat(train.get(2).label()).isEqualTo(1);
    LabeledImage image = train.get(0);
    assertThat(image.channels()).isEqualTo(3);
    // pixel (row 2, col 5) = index 69; HWC offset 69*3 + c
    assertThat(image.pixels()[69 * 3]).isEqualTo(69 / 255f);
    assertThat(image.pixels()[69 * 3 + 1]).isEqualTo(119 / 255f);
    assertThat(image.pixels()[69 * 3 + 2]).isEqualTo(169 / 255f);
    assertThat(train.classNames().get(0)).isEqualTo("airplane");
    Cifar10Binary test = Cifar10Binary.load(dir, false);
    assertThat(test.size()).isEqualTo(1);
    assertThat(test.get(0).label()).isEqualTo(5);
  }

  @Test
  void classNamesComeFromTheMetaFile() throws IOException {
    Files.write(dir.resolve("test_batch.bin"), concat(record(1)));
    Files.write(dir.resolve("batches.meta.txt"), List.of("a", "b", ""));
    assertThat(Cifar10Binary.load(dir, false).classNames()).containsExactly("a", "b");
  }

  @Test
  void rejectsPartialRecordsBadLabelsAndMissingFiles() throws IOException {
    assertThatThrownBy(() -> Cifar10Binary.load(dir, true)).hasMessageContaining("data_batch_*.bin");
    Files.write(dir.resolve("test_batch.bin"), new byte[100]);
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).hasMessageContaining("whole number");
    Files.write(dir.resolve("test_batch.bin"), concat(record(12)));
    assertThatThrownBy(() -> Cifar10Binary.load(dir, false)).hasMessageContaining("label 12");
  }
}
