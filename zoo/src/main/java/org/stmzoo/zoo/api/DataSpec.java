package org.stmzoo.zoo.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.stmzoo.datasets.Cifar10Binary;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.ImageFolder;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.datasets.Subset;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.layers.io.PathChecks;

/**
 * Which images a run trains and validates on. {@code data} is {@code fashion-mnist[:FOLDER]},
 * {@code fashion-mnist-demo} (the balanced subset embedded in the jar: no network, no package), {@code cifar10:FOLDER} or an image folder {@code root/CLASS/*.jpg...}; an image folder's validation set is
 * {@code val}, a seeded {@code valSplit} fraction, or {@code root/val} beside {@code root/train} when the root holds
 * those two. The built-in sets (Fashion-MNIST, its demo subset, CIFAR-10) validate on their own test split and refuse
 * {@code val} and {@code valSplit}.
 *
 * @param val a validation image folder, or null (an image folder only)
 * @param valSplit the fraction in (0, 1) of an image folder held out for validation, or null (an image folder only;
 *     not with {@code val})
 * @param limitTrain use only N training images, at least 1 (null: all): a class-stratified sample drawn with the
 *     run's seed ({@link Subset#stratified})
 * @param limitVal use only N validation images, at least 1 (null: all), sampled as {@code limitTrain}
 */
public record DataSpec(String data, Path val, Double valSplit, Integer limitTrain, Integer limitVal) {
  /** Training data and, when there is one, the validation set with the same classes. */
  public record Loaded(ImageDataset train, Optional<ImageDataset> val) {}

  public DataSpec {
    if (data == null || data.isBlank()) {
      throw new IllegalArgumentException("no data given (fashion-mnist, cifar10:FOLDER or an image folder)");
    }
    if (valSplit != null && !(valSplit > 0 && valSplit < 1)) {
      throw new IllegalArgumentException("the validation split must be a fraction in (0, 1), got " + valSplit);
    }
    if (val != null && valSplit != null) {
      throw new IllegalArgumentException("give a validation folder or a validation split, not both");
    }
    if (limitTrain != null) {
      ConfigChecks.positive("DataSpec.limitTrain", limitTrain);
    }
    if (limitVal != null) {
      ConfigChecks.positive("DataSpec.limitVal", limitVal);
    }
    if ((val != null || valSplit != null) && hasOwnTestSplit(data)) {
      throw new IllegalArgumentException(data + " validates on its own test split; a validation folder or split"
          + " applies to an image folder");
    }
  }

  /** Whether {@code data} names a built-in set (Fashion-MNIST, its demo subset, CIFAR-10) with its own test split. */
  public static boolean hasOwnTestSplit(String data) {
    return data.equals(FashionMnist.DEMO_SPEC) || isFashionMnist(data) || data.startsWith("cifar10:");
  }

  /**
   * What {@code data} names without its folder: {@code fashion-mnist}, {@code fashion-mnist-demo}, {@code cifar10}
   * or {@code image folder} (what the tasks of a cluster must agree on, whose folders may differ).
   */
  public String kind() {
    return data.equals(FashionMnist.DEMO_SPEC) ? data : isFashionMnist(data) ? "fashion-mnist"
        : data.startsWith("cifar10:") ? "cifar10" : "image folder";
  }

  /**
   * {@code data} as a run records its real path (args.json's {@code data_path}, beside {@code data} as typed), for
   * eval and resume to find it from any directory: an image folder, or the folder of {@code fashion-mnist:FOLDER}
   * or {@code cifar10:FOLDER}, as its {@link #recordedPath}; a built-in set's name ({@code fashion-mnist},
   * {@code fashion-mnist-demo}) as it is.
   */
  public static String recorded(String data) {
    String folder = folderOf(data);
    return folder == null ? data : data.substring(0, data.length() - folder.length()) + recordedPath(folder);
  }

  /**
   * The folder {@code data} names: an image folder itself, the part after {@code fashion-mnist:} or
   * {@code cifar10:}; null for a built-in set's name.
   */
  private static String folderOf(String data) {
    if (data.equals(FashionMnist.DEMO_SPEC) || data.equals("fashion-mnist")) {
      return null;
    }
    for (String prefix : List.of("fashion-mnist:", "cifar10:")) {
      if (data.startsWith(prefix)) {
        return data.substring(prefix.length());
      }
    }
    return data;
  }

  /**
   * A folder as a run records its real path: absolute, without {@code ..} or links, when it exists; as given
   * otherwise.
   */
  public static String recordedPath(String path) {
    try {
      Path p = Path.of(path);
      return Files.exists(p) ? p.toRealPath().toString() : path;
    } catch (IOException | InvalidPathException e) {
      return path;
    }
  }

  /**
   * Where a run's data is now, from what its args.json records: the real path ({@code data_path} or
   * {@code val_path}, of {@link #recorded}) while its folder exists, else the form typed ({@code data} or
   * {@code val}), read in the current directory as it always was: a project folder moved, or data mounted
   * elsewhere, is found again by the same relative path. An args.json written before real paths were recorded
   * has no real path ({@code null}).
   */
  public static String located(String typed, String realPath) {
    return realPath != null && folderExists(realPath) ? realPath : typed;
  }

  /**
   * Whether the folder {@code data} names is there: an image folder, or the folder of {@code fashion-mnist:FOLDER}
   * or {@code cifar10:FOLDER}; a built-in set's name always is.
   */
  static boolean folderExists(String data) {
    String folder = folderOf(data);
    try {
      return folder == null || Files.exists(Path.of(folder));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** {@code data} with its default validation set and no limits. */
  public static DataSpec of(String data) {
    return new DataSpec(data, null, null, null, null);
  }

  /** An image folder {@code root/CLASS/*.jpg...}. */
  public static DataSpec folder(Path root) {
    return of(root.toString());
  }

  public DataSpec withVal(Path folder) {
    return new DataSpec(data, folder, valSplit, limitTrain, limitVal);
  }

  public DataSpec withValSplit(double fraction) {
    return new DataSpec(data, val, fraction, limitTrain, limitVal);
  }

  public DataSpec withLimits(Integer train, Integer validation) {
    return new DataSpec(data, val, valSplit, train, validation);
  }

  /**
   * That the folders this spec names are folders, without reading them: a mistyped or wrong path then fails before
   * a model is built, weights fetched or a run begun. Fashion-MNIST's folder is its loader's to check, as it may
   * download into it.
   */
  public void checkFolders() {
    checkFolders(data);
    if (val != null) {
      PathChecks.existingFolder(val, "validation folder");
    }
  }

  /** {@link #checkFolders()} of a {@code data} value alone, as eval, analyze and benchmark take it. */
  public static void checkFolders(String data) {
    if (!data.equals(FashionMnist.DEMO_SPEC) && !isFashionMnist(data)) {
      PathChecks.existingFolder(Path.of(folderOf(data)), hasOwnTestSplit(data) ? "CIFAR-10 folder" : "data folder");
    }
  }

  /** Reads the datasets; {@code seed} draws a {@code valSplit} and the limits' samples. */
  public Loaded load(long seed) throws IOException {
    Loaded loaded = loadUnlimited(seed);
    Optional<ImageDataset> val = loaded.val().isPresent()
        ? Optional.of(limited(loaded.val().get(), limitVal, seed)) : Optional.empty();
    return new Loaded(limited(loaded.train(), limitTrain, seed), val);
  }

  private Loaded loadUnlimited(long seed) throws IOException {
    if (data.equals(FashionMnist.DEMO_SPEC)) {
      return new Loaded(FashionMnist.loadDemo(FashionMnist.Split.TRAIN),
          Optional.of(FashionMnist.loadDemo(FashionMnist.Split.TEST)));
    }
    if (isFashionMnist(data)) {
      Path folder = fashionMnistFolder(data);
      return new Loaded(FashionMnist.load(folder, FashionMnist.Split.TRAIN),
          Optional.of(FashionMnist.load(folder, FashionMnist.Split.TEST)));
    }
    if (data.startsWith("cifar10:")) {
      Path folder = Path.of(folderOf(data));
      return new Loaded(Cifar10Binary.load(folder, true), Optional.of(Cifar10Binary.load(folder, false)));
    }
    Path root = existingFolder(data);
    if (val != null) {
      var split = ImageFolder.trainVal(root, PathChecks.existingFolder(val, "validation folder"));
      return new Loaded(split.train(), Optional.of(split.val()));
    }
    if (valSplit != null) {
      var split = ImageFolder.split(root, valSplit, seed);
      return new Loaded(split.train(), Optional.of(split.val()));
    }
    if (holdsTrainAndVal(root)) {
      var split = ImageFolder.trainVal(root.resolve("train"), root.resolve("val"));
      return new Loaded(split.train(), Optional.of(split.val()));
    }
    return new Loaded(ImageFolder.scan(root), Optional.empty());
  }

  /**
   * The validation set {@link #load} gives, without the limits: a built-in set's test split, the {@code val}
   * folder, the {@code valSplit} part drawn with {@code seed}, or {@code root/val}; empty for an image folder
   * validated on nothing (all of it is training data).
   */
  public Optional<ImageDataset> validationSet(long seed) throws IOException {
    // a built-in set's test split alone: its training split is not read
    return hasOwnTestSplit(data) ? Optional.of(evaluationSet(data)) : loadUnlimited(seed).val();
  }

  /** The training set of {@code spec} (without any validation split). */
  public static ImageDataset trainingSet(String spec) throws IOException {
    return of(spec).loadUnlimited(0).train();
  }

  /**
   * The evaluation set of {@code spec}: Fashion-MNIST's/CIFAR-10's test split, an image folder's {@code val}
   * folder when it holds {@code train} and {@code val} (with the classes of {@code train}, as training reads it),
   * else the folder itself.
   */
  public static ImageDataset evaluationSet(String spec) throws IOException {
    return evaluationSet(spec, List.of());
  }

  /**
   * As {@link #evaluationSet(String)}, an image folder (or the {@code val} folder of one holding {@code train} and
   * {@code val}) labelled with {@code modelClasses} when they are named (not empty, not ImageNet-1k's), as training
   * labels its {@code --val} folder ({@link ImageFolder#scan(Path, List)}): a folder holding
   * only some of the model's classes is evaluated on those, one with a class the model does not know is refused.
   */
  public static ImageDataset evaluationSet(String spec, List<String> modelClasses) throws IOException {
    if (spec.equals(FashionMnist.DEMO_SPEC)) {
      return FashionMnist.loadDemo(FashionMnist.Split.TEST);
    }
    if (isFashionMnist(spec)) {
      return FashionMnist.load(fashionMnistFolder(spec), FashionMnist.Split.TEST);
    }
    if (spec.startsWith("cifar10:")) {
      return Cifar10Binary.load(Path.of(folderOf(spec)), false);
    }
    Path root = existingFolder(spec);
    boolean trainAndVal = holdsTrainAndVal(root);
    // ImageNet-1k's names label nothing by name: an ImageNet folder names its classes by WordNet id, which the
    // model's class check matches to them (ImageNetClasses.sameClasses)
    if (!modelClasses.isEmpty() && !modelClasses.equals(ImageNetClasses.names())) {
      return ImageFolder.scan(trainAndVal ? root.resolve("val") : root, modelClasses);
    }
    return trainAndVal ? ImageFolder.trainVal(root.resolve("train"), root.resolve("val")).val()
        : ImageFolder.scan(root);
  }

  /** An image folder laid out as {@code root/train/CLASS} and {@code root/val/CLASS}. */
  private static boolean holdsTrainAndVal(Path root) {
    return Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("val"));
  }

  private static boolean isFashionMnist(String spec) {
    return spec.equals("fashion-mnist") || spec.startsWith("fashion-mnist:");
  }

  private static Path fashionMnistFolder(String spec) throws IOException {
    Path explicit = spec.contains(":") ? Path.of(spec.substring(spec.indexOf(':') + 1)) : null;
    return FashionMnist.locate(explicit, FashionMnist.defaultCacheFolder(), true);
  }

  private static Path existingFolder(String path) {
    return PathChecks.existingFolder(Path.of(path), "data folder");
  }

  /**
   * {@code data} limited to {@code n} images (null: all) as a run's limits take them: a class-stratified sample
   * drawn with {@code seed}, which eval draws again to score the images a run validated on.
   */
  public static ImageDataset limited(ImageDataset data, Integer n, long seed) throws IOException {
    return n == null ? data : Subset.stratified(data, n, seed);
  }
}
