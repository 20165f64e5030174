package org.stmzoo.datasets;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;
import org.stmzoo.layers.io.InputLimitException;
import org.stmzoo.layers.io.PathChecks;

/**
 * CIFAR-10 in its binary distribution ({@code cifar-10-batches-bin}): each record is one label byte followed by
 * 3072 bytes of a 32x32 image in CHW order (1024 red, 1024 green, 1024 blue). Train = {@code data_batch_*.bin},
 * test = {@code test_batch.bin}; class names from {@code batches.meta.txt} when present.
 *
 * <p>Read as untrusted: every file through {@link InputFiles} (regular files only, so a FIFO or a link to a
 * device is refused before it is opened), the record files of a split together within {@link #MAX_BYTES}
 * (checked before any is read), the class list within {@value #MAX_META_BYTES} bytes and strict UTF-8.
 */
public final class Cifar10Binary implements ImageDataset {
  public static final int SIDE = 32;
  public static final int RECORD_BYTES = 1 + 3 * SIDE * SIDE;
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
      "frog", "horse", "ship", "truck");
  /** Most bytes of record files one split may hold; the official training split holds 153,650,000. */
  public static final InputLimit MAX_BYTES = new InputLimit("stmzoo.limit.cifar-bytes", 1L << 30);
  /** The class list's size limit: ten names take under 100 bytes. */
  static final int MAX_META_BYTES = 1 << 20;
  private static final Pattern TRAIN_FILE = Pattern.compile("data_batch_(\\d+)\\.bin");

  private final List<byte[]> files;
  private final int[] fileStart;
  private final int size;
  private final List<String> classNames;
  private final String description;

  private Cifar10Binary(List<byte[]> files, List<String> classNames, String name, Path source) {
    this.files = files;
    this.fileStart = new int[files.size() + 1];
    for (int i = 0; i < files.size(); i++) {
      fileStart[i + 1] = fileStart[i] + files.get(i).length / RECORD_BYTES;
    }
    this.size = fileStart[files.size()];
    this.classNames = List.copyOf(classNames);
    this.description = name + " (" + size + " images) from " + source;
  }

  /** The train or test split of {@code folder} (or of its {@code cifar-10-batches-bin} sub-folder). */
  public static Cifar10Binary load(Path folder, boolean train) throws IOException {
    Path dir = Files.isDirectory(folder.resolve("cifar-10-batches-bin")) ? folder.resolve("cifar-10-batches-bin")
        : folder;
    PathChecks.existingFolder(dir, "CIFAR-10 folder"); // dir is folder itself unless its sub-folder exists
    List<Path> parts;
    if (train) {
      try (Stream<Path> listing = Files.list(dir)) {
        // by batch number, as a number of any length (data_batch_10 after data_batch_9), then by name
        parts = listing.filter(p -> TRAIN_FILE.matcher(p.getFileName().toString()).matches())
            .sorted(Comparator.comparing(Cifar10Binary::batchNumber).thenComparing(Path::getFileName)).toList();
      }
    } else {
      // present in any form (a FIFO, a folder, a dangling link): read() says what is wrong with it
      Path test = dir.resolve("test_batch.bin");
      parts = Files.exists(test, LinkOption.NOFOLLOW_LINKS) ? List.of(test) : List.of();
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("CIFAR-10 folder " + dir + " has no "
          + (train ? "data_batch_*.bin" : "test_batch.bin") + " file");
    }
    Path meta = dir.resolve("batches.meta.txt");
    List<String> names = Files.exists(meta, LinkOption.NOFOLLOW_LINKS) ? readClassNames(meta) : CLASS_NAMES;
    return read(parts, names, "CIFAR-10 " + (train ? "train" : "test"));
  }

  /** Reads the given record files in order. */
  public static Cifar10Binary read(List<Path> parts, List<String> classNames, String name) throws IOException {
    long total = 0;
    for (Path part : parts) {
      total += InputFiles.requireRegularFile(part, MAX_BYTES);
    }
    long max = MAX_BYTES.value();
    if (total > max) {
      Path folder = parts.get(0).toAbsolutePath().getParent();
      throw new InputLimitException(folder, "the " + parts.size() + " CIFAR-10 record files hold " + total
          + " bytes, more than the limit of " + max + " bytes (" + MAX_BYTES.knob() + ")");
    }
    List<byte[]> files = new ArrayList<>();
    for (Path part : parts) {
      byte[] bytes = InputFiles.readAll(part, MAX_BYTES);
      if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
        throw new InputFileException(part, bytes.length + " bytes is not a whole number of " + RECORD_BYTES
            + "-byte CIFAR-10 records");
      }
      for (int offset = 0; offset < bytes.length; offset += RECORD_BYTES) {
        if ((bytes[offset] & 0xff) >= classNames.size()) {
          throw new InputFileException(part, "label " + (bytes[offset] & 0xff) + " at record "
              + offset / RECORD_BYTES + " is not below the " + classNames.size() + " classes");
        }
      }
      files.add(bytes);
    }
    return new Cifar10Binary(files, classNames, name, parts.get(0).toAbsolutePath().getParent());
  }

  /** The non-blank lines of {@code batches.meta.txt}, stripped: strict UTF-8, at most {@value #MAX_META_BYTES}. */
  private static List<String> readClassNames(Path meta) throws IOException {
    String text = InputFiles.utf8(InputFiles.readAll(meta, MAX_META_BYTES, "a class list is small"), meta);
    String lines = text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte-order mark, as Notepad writes
    List<String> names = lines.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (names.isEmpty()) {
      throw new InputFileException(meta, "holds no class names (one a line expected)");
    }
    return names;
  }

  /** The number in {@code data_batch_N.bin}, of any length. */
  private static BigInteger batchNumber(Path path) {
    Matcher m = TRAIN_FILE.matcher(path.getFileName().toString());
    return m.matches() ? new BigInteger(m.group(1)) : BigInteger.ZERO;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  /** Where record {@code index} starts: its file's bytes and the record's offset in them. */
  private record Record(byte[] bytes, int offset) {}

  private Record record(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    int file = 0;
    while (fileStart[file + 1] <= index) {
      file++;
    }
    return new Record(files.get(file), (index - fileStart[file]) * RECORD_BYTES);
  }

  /** The record's first byte, without decoding its image (a class-stratified sample reads every label). */
  @Override
  public int label(int index) {
    Record r = record(index);
    return r.bytes()[r.offset()] & 0xff;
  }

  @Override
  public LabeledImage get(int index) {
    Record r = record(index);
    byte[] bytes = r.bytes();
    int offset = r.offset();
    int plane = SIDE * SIDE;
    float[] hwc = new float[3 * plane];
    for (int c = 0; c < 3; c++) {
      int channelStart = offset + 1 + c * plane;
      for (int p = 0; p < plane; p++) {
        hwc[p * 3 + c] = (bytes[channelStart + p] & 0xff) / 255f;
      }
    }
    return new LabeledImage(hwc, SIDE, SIDE, 3, bytes[offset] & 0xff);
  }

  @Override
  public String description() {
    return description;
  }
}
