package org.stmzoo.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Zalando): 28x28 grayscale clothing images in 10 classes, 60,000 train and 10,000 test, read from
 * the four IDX files (gzipped or raw) of a folder. {@link #locate} finds that folder: Debian's package
 * {@code dataset-fashion-mnist} ({@value #DEBIAN_FOLDER}), else the cache, else a one-off checked download;
 * {@link #loadDemo} reads the balanced subset embedded in the jar.
 */
public final class FashionMnist implements ImageDataset {
  public static final String DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist";
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  public static final int SIDE = 28;
  /** The data spec of the embedded demo subset. */
  public static final String DEMO_SPEC = "fashion-mnist-demo";
  private static final String DEMO_RESOURCES = "fashion-mnist-demo/";
  /** The shapes of an image and of a label after the count: checked from each file's header, before its values. */
  private static final int[] IMAGE_SHAPE = {SIDE, SIDE};
  private static final int[] LABEL_SHAPE = {};

  /** The two splits, named by their file prefixes. */
  public enum Split {
    TRAIN("train"), TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    public String imagesFile() {
      return prefix + "-images-idx3-ubyte";
    }

    public String labelsFile() {
      return prefix + "-labels-idx1-ubyte";
    }
  }

  private final byte[] images;
  private final byte[] labels;
  private final String description;

  private FashionMnist(byte[] images, byte[] labels, String description) {
    this.images = images;
    this.labels = labels;
    this.description = description;
  }

  /** Reads one split from {@code folder}; each file may be {@code NAME} or {@code NAME.gz}. */
  public static FashionMnist load(Path folder, Split split) throws IOException {
    IdxFile images = IdxFile.read(find(folder, split.imagesFile()), IMAGE_SHAPE);
    IdxFile labels = IdxFile.read(find(folder, split.labelsFile()), LABEL_SHAPE);
    return of(images, labels, split, folder.toString());
  }

  /**
   * One split of the embedded demo subset ({@value #DEMO_SPEC}: 500 training and 100 test images per class, from
   * {@code scripts/make-fashion-mnist-demo.py}), read from the classpath, so that a first run needs neither the
   * network nor the Debian package.
   */
  public static FashionMnist loadDemo(Split split) throws IOException {
    return of(demoFile(split.imagesFile(), IMAGE_SHAPE), demoFile(split.labelsFile(), LABEL_SHAPE), split,
        "the embedded demo subset");
  }

  private static IdxFile demoFile(String name, int[] itemShape) throws IOException {
    String resource = DEMO_RESOURCES + name + ".gz";
    InputStream raw = FashionMnist.class.getResourceAsStream(resource);
    if (raw == null) {
      throw new IOException("resource " + resource + " missing from the stmzoo-datasets jar");
    }
    try (raw) {
      // our own resource, gzipped: parse() inflates it within the IDX limits
      return IdxFile.parse(raw.readAllBytes(), Path.of(resource), itemShape);
    }
  }

  /** The split of {@code images} ({@link #IMAGE_SHAPE}) and {@code labels} ({@link #LABEL_SHAPE}). */
  private static FashionMnist of(IdxFile images, IdxFile labels, Split split, String folder) throws IOException {
    if (labels.count() != images.count()) {
      throw new IOException(folder + ": " + split.labelsFile() + " is " + labels + " for " + images.count()
          + " images");
    }
    for (byte label : labels.data()) {
      if (label < 0 || label >= CLASS_NAMES.size()) {
        throw new IOException(folder + ": label " + label + " out of range 0..9 in " + split.labelsFile());
      }
    }
    String description = "Fashion-MNIST " + split.name().toLowerCase() + " (" + images.count() + " images) from "
        + folder;
    return new FashionMnist(images.data(), labels.data(), description);
  }

  /**
   * A folder holding all four files: {@code explicit} if given, else Debian's package folder, else
   * {@code cacheFolder} (downloading the official files into it first when {@code download} is set; the files
   * already there checked against their SHA-256, see {@link FashionMnistDownload#checkCached}).
   */
  public static Path locate(Path explicit, Path cacheFolder, boolean download) throws IOException {
    if (explicit != null) {
      List<String> missing = missingFiles(explicit);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("Fashion-MNIST folder " + explicit + " lacks " + missing);
      }
      return explicit;
    }
    Path debian = Path.of(DEBIAN_FOLDER);
    if (missingFiles(debian).isEmpty()) {
      return debian;
    }
    if (missingFiles(cacheFolder).isEmpty()) {
      // checked on each use, as when it was downloaded: a damaged file is fetched again, or named
      FashionMnistDownload.official().checkCached(cacheFolder, download);
      return cacheFolder;
    }
    if (!download) {
      throw new IllegalArgumentException("Fashion-MNIST not found in " + DEBIAN_FOLDER + " or " + cacheFolder
          + "; install it with `apt-get install -y dataset-fashion-mnist`, allow the download, or use the embedded"
          + " subset " + DEMO_SPEC);
    }
    FashionMnistDownload.official().downloadInto(cacheFolder);
    return cacheFolder;
  }

  /**
   * Whether the full dataset is on this machine without a download: Debian's package folder or the default cache
   * holds all four files. A first run uses it when true and {@value #DEMO_SPEC} otherwise.
   */
  public static boolean isInstalled() {
    return isInstalled(defaultCacheFolder());
  }

  /** As {@link #isInstalled()}, with another cache folder. */
  public static boolean isInstalled(Path cacheFolder) {
    return missingFiles(Path.of(DEBIAN_FOLDER)).isEmpty() || missingFiles(cacheFolder).isEmpty();
  }

  /** {@code $STMZOO_CACHE/fashion-mnist}, default {@code ~/.cache/stmzoo/fashion-mnist}. */
  public static Path defaultCacheFolder() {
    String cache = System.getenv("STMZOO_CACHE");
    Path root = cache != null && !cache.isBlank() ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "stmzoo");
    return root.resolve("fashion-mnist");
  }

  /** The four file names (without .gz) that {@code folder} lacks. */
  public static List<String> missingFiles(Path folder) {
    List<String> missing = new ArrayList<>();
    for (Split split : Split.values()) {
      for (String name : List.of(split.imagesFile(), split.labelsFile())) {
        if (existing(folder, name) == null) {
          missing.add(name);
        }
      }
    }
    return missing;
  }

  private static Path find(Path folder, String name) throws IOException {
    Path path = existing(folder, name);
    if (path == null) {
      throw new IOException("Fashion-MNIST file " + folder.resolve(name) + "[.gz] not found");
    }
    return path;
  }

  private static Path existing(Path folder, String name) {
    for (Path candidate : List.of(folder.resolve(name + ".gz"), folder.resolve(name))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public List<String> classNames() {
    return CLASS_NAMES;
  }

  @Override
  public LabeledImage get(int index) {
    float[] pixels = new float[SIDE * SIDE];
    int offset = index * SIDE * SIDE;
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (images[offset + i] & 0xff) / 255f;
    }
    return new LabeledImage(pixels, SIDE, SIDE, 1, labels[index]);
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int channels() {
    return 1;
  }
}
