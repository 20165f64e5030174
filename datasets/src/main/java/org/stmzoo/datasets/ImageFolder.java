package org.stmzoo.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.stmzoo.layers.io.PathChecks;

/**
 * Images laid out as {@code root/<class>/**.<ext>}, {@code <ext>} one of {@link #EXTENSIONS} (case-insensitive;
 * files found recursively inside each class folder, following symbolic links as torchvision's
 * {@code os.walk(followlinks=True)} does, hidden files ignored). Class names are the sorted sub-folder names; files
 * are sorted too, so indices are stable across runs and machines. Layout problems are reported here, before any
 * training: a missing root, a root without class folders, a class folder without images. Other files in the class
 * folders are skipped and counted ({@link #skippedFiles()}, and in the {@link #description()} the training log
 * prints), so a folder of {@code .heic} photos does not vanish without a word.
 */
public final class ImageFolder implements ImageDataset {
  /**
   * The image extensions: torchvision's {@code ImageFolder} set (jpg, jpeg, png, ppm, bmp, pgm, tif, tiff, webp)
   * and gif, which torchvision's does not take, so a folder with GIFs has more images here than under torchvision.
   */
  public static final Set<String> EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp", "gif");

  private final List<Path> files;
  private final int[] labels;
  private final List<String> classNames;
  private final SkippedFiles skippedFiles;
  private final String description;

  /**
   * {@code source} describes where the images come from; {@code skippedScope} says what {@code skippedFiles} were
   * counted over, relative to these images ("" for exactly this folder, " of the folder" for a part of it).
   */
  private ImageFolder(List<Path> files, int[] labels, List<String> classNames, String source,
      SkippedFiles skippedFiles, String skippedScope) {
    this.files = List.copyOf(files);
    this.labels = labels;
    this.classNames = List.copyOf(classNames);
    this.skippedFiles = skippedFiles;
    this.description = source + " (" + files.size() + " images, " + classNames.size() + " classes"
        + (skippedFiles.isEmpty() ? "" : "; " + skippedFiles.summary(skippedScope)) + ")";
  }

  /** All images under {@code root}, classes = its sorted sub-folders. */
  public static ImageFolder scan(Path root) {
    return scan(root, classFolders(root));
  }

  /**
   * The images of {@code root} labelled against a given class list (a validation folder uses the training
   * folder's); every class folder of {@code root} must be one of {@code classNames}.
   */
  public static ImageFolder scan(Path root, List<String> classNames) {
    List<String> present = classFolders(root);
    List<String> unknown = present.stream().filter(name -> !classNames.contains(name)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("Image folder " + root + " has classes " + unknown
          + " that are not among the training classes " + classNames);
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    SkippedFiles skipped = SkippedFiles.NONE;
    for (String name : present) {
      FolderFiles contents = filesIn(root.resolve(name));
      if (contents.images().isEmpty()) {
        throw new IllegalArgumentException("Class folder " + root.resolve(name) + " contains no images (*."
            + String.join(", *.", EXTENSIONS.stream().sorted().toList()) + ")" + holding(contents.others()));
      }
      files.addAll(contents.images());
      contents.images().forEach(f -> labels.add(classNames.indexOf(name)));
      skipped = skipped.plus(contents.others());
    }
    return new ImageFolder(files, labels.stream().mapToInt(Integer::intValue).toArray(), classNames,
        "image folder " + root, skipped, "");
  }

  /** What an image-less folder holds instead, for its error message: "" if nothing. */
  private static String holding(SkippedFiles others) {
    if (others.isEmpty()) {
      return "";
    }
    return "; it holds " + others.count()
        + (others.count() == 1 ? " file of another type: " : " files of other types: ") + others.typeList();
  }

  /** Separate training and validation folders; the validation folder is labelled with the training classes. */
  public static DatasetSplit trainVal(Path trainRoot, Path valRoot) {
    ImageFolder train = scan(trainRoot);
    return new DatasetSplit(train, scan(valRoot, train.classNames()));
  }

  /**
   * Splits one folder into training and validation, stratified: within each class, the sorted files are shuffled
   * with a {@link Random} seeded by {@code seed} and {@code round(n * valFraction)} of them go to validation (at
   * most n - 1, so each class keeps a training image). The same folder and seed give the same split everywhere.
   */
  public static DatasetSplit split(Path root, double valFraction, long seed) {
    if (!(valFraction > 0 && valFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + valFraction);
    }
    ImageFolder all = scan(root);
    Random random = new Random(seed);
    List<Integer> trainIndices = new ArrayList<>();
    List<Integer> valIndices = new ArrayList<>();
    List<List<Integer>> byClass = new ArrayList<>();
    all.classNames.forEach(name -> byClass.add(new ArrayList<>()));
    for (int i = 0; i < all.size(); i++) {
      byClass.get(all.labels[i]).add(i);
    }
    for (List<Integer> members : byClass) {
      Collections.shuffle(members, random);
      int valCount = Math.min((int) Math.round(members.size() * valFraction), members.size() - 1);
      valIndices.addAll(members.subList(0, valCount));
      trainIndices.addAll(members.subList(valCount, members.size()));
    }
    String how = String.format(Locale.ROOT, "split %.3f, seed %d", valFraction, seed);
    return new DatasetSplit(all.subset(trainIndices, "train part of image folder " + root + " (" + how + ")"),
        all.subset(valIndices, "validation part of image folder " + root + " (" + how + ")"));
  }

  /** A part of this folder; its description counts the whole folder's skipped files, as they are not divided. */
  private ImageFolder subset(List<Integer> indices, String source) {
    List<Integer> sorted = indices.stream().sorted().toList();
    return new ImageFolder(sorted.stream().map(files::get).toList(),
        sorted.stream().mapToInt(i -> labels[i]).toArray(), classNames, source, skippedFiles, " of the folder");
  }

  private static List<String> classFolders(Path root) {
    PathChecks.existingFolder(root, "Image folder");
    List<String> names;
    try (Stream<Path> listing = Files.list(root)) {
      names = listing.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(name -> !name.startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list image folder " + root, e);
    }
    if (names.isEmpty()) {
      boolean loose = !filesIn(root).images().isEmpty();
      throw new IllegalArgumentException("Image folder " + root + " has no class sub-folders"
          + (loose ? " (its images must be in " + root.resolve("<class>") + "/)" : " and no images")
          + "; expected " + root.resolve("<class>/<image>.jpg"));
    }
    return names;
  }

  /** The regular, non-hidden files of a folder: the images, sorted, and the others. */
  private record FolderFiles(List<Path> images, SkippedFiles others) {}

  /**
   * The files under {@code folder}, following symbolic links (a class folder may itself be a link, as
   * {@link #classFolders} accepts it, and so may its sub-folders); a link cycle is refused with the folder named.
   */
  private static FolderFiles filesIn(Path folder) {
    try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
      Map<Boolean, List<Path>> byKind = walk.filter(Files::isRegularFile).filter(f -> !isHidden(f))
          .collect(Collectors.partitioningBy(ImageFolder::isImageName));
      return new FolderFiles(byKind.get(true).stream().sorted().toList(), SkippedFiles.of(byKind.get(false)));
    } catch (IOException e) {
      throw listingFailed(folder, e);
    } catch (UncheckedIOException e) {
      throw listingFailed(folder, e.getCause());
    }
  }

  private static RuntimeException listingFailed(Path folder, IOException e) {
    if (e instanceof FileSystemLoopException loop) {
      return new IllegalArgumentException("Image folder " + folder + " contains a symbolic link cycle at "
          + loop.getFile() + "; remove the link or point it outside " + folder, e);
    }
    return new UncheckedIOException("cannot list " + folder, e);
  }

  /** Hidden files (macOS's {@code ._photo.jpg} resource forks among them) are neither read nor counted. */
  private static boolean isHidden(Path file) {
    return file.getFileName().toString().startsWith(".");
  }

  private static boolean isImageName(Path file) {
    return SkippedFiles.extensionOf(file).map(EXTENSIONS::contains).orElse(false);
  }

  /**
   * The regular, non-hidden files in the class folders that were not read because their extension is not an
   * image extension; for a part made by {@link #split}, those of the whole folder.
   */
  public SkippedFiles skippedFiles() {
    return skippedFiles;
  }

  public Path file(int index) {
    return files.get(index);
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public LabeledImage get(int index) throws IOException {
    return ImageDecoding.decodeRgb(files.get(index), labels[index]);
  }

  @Override
  public String description() {
    return description;
  }
}
