package org.stmzoo.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CIFAR-10 in its binary distribution ({@code cifar-10-batches-bin}): each record is one label byte followed by
 * 3072 bytes of a 32x32 image in CHW order (1024 red, 1024 green, 1024 blue). Train = {@code data_batch_*.bin},
 * test = {@code test_batch.bin}; class names from {@code batches.meta.txt} when present.
 */
public final class Cifar10Binary implements ImageDataset {
  public static final int SIDE = 32;
  public static final int RECORD_BYTES = 1 + 3 * SIDE * SIDE;
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
      "frog", "horse", "ship", "truck");
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
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("CIFAR-10 folder " + folder + " does not exist");
    }
    List<Path> parts;
    if (train) {
      try (Stream<Path> listing = Files.list(dir)) {
        parts = listing.filter(p -> TRAIN_FILE.matcher(p.getFileName().toString()).matches())
            .sorted(Comparator.comparingInt(Cifar10Binary::batchNumber)).toList();
      }
    } else {
      parts = Files.isRegularFile(dir.resolve("test_batch.bin")) ? List.of(dir.resolve("test_batch.bin")) : List.of();
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("CIFAR-10 folder " + dir + " has no "
          + (train ? "data_batch_*.bin" : "test_batch.bin") + " file");
    }
    Path meta = dir.resolve("batches.meta.txt");
    List<String> names = Files.isRegularFile(meta)
        ? Files.readAllLines(meta).stream().map(String::strip).filter(s -> !s.isEmpty()).toList() : CLASS_NAMES;
    return read(parts, names, "CIFAR-10 " + (train ? "train" : "test"));
  }

  /** Reads the given record files in order. */
  public static Cifar10Binary read(List<Path> parts, List<String> classNames, String name) throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (Path part : parts) {
      byte[] bytes = Files.readAllBytes(part);
      if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
        throw new IOException(part + ": " + bytes.length + " bytes is not a whole number of " + RECORD_BYTES
            + "-byte CIFAR-10 records");
      }
      for (int offset = 0; offset < bytes.length; offset += RECORD_BYTES) {
        if ((bytes[offset] & 0xff) >= classNames.size()) {
          throw new IOException(part + ": label " + (bytes[offset] & 0xff) + " at record " + offset / RECORD_BYTES
              + " is not below the " + classNames.size() + " classes");
        }
      }
      files.add(bytes);
    }
    return new Cifar10Binary(files, classNames, name, parts.get(0).toAbsolutePath().getParent());
  }

  private static int batchNumber(Path path) {
    Matcher m = TRAIN_FILE.matcher(path.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public LabeledImage get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    int file = 0;
    while (fileStart[file + 1] <= index) {
      file++;
    }
    byte[] bytes = files.get(file);
    int offset = (index - fileStart[file]) * RECORD_BYTES;
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
