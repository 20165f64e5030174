package org.stmzoo.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The files of an image folder that are not read because their extension is not an image extension (a
 * {@code .heic} among the photos, a {@code notes.txt}), so that a scan can say what it left out rather than drop
 * them silently.
 *
 * @param count how many files
 * @param types their distinct extensions, lower case with the dot ({@code .txt}), sorted, {@link #NO_EXTENSION}
 *     last for files without one
 */
public record SkippedFiles(int count, List<String> types) {
  /** The type of a file whose name has no extension. */
  public static final String NO_EXTENSION = "no extension";
  /** How many types a summary names before it only counts the rest. */
  static final int TYPES_NAMED = 5;

  public static final SkippedFiles NONE = new SkippedFiles(0, List.of());

  public SkippedFiles {
    types = List.copyOf(types);
  }

  /** The skipped files among {@code files} (regular, non-hidden files that are not images). */
  static SkippedFiles of(List<Path> files) {
    return new SkippedFiles(files.size(), sorted(files.stream().map(SkippedFiles::typeOf)));
  }

  /** These files and {@code other}'s together. */
  SkippedFiles plus(SkippedFiles other) {
    return new SkippedFiles(count + other.count, sorted(Stream.concat(types.stream(), other.types.stream())));
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * E.g. {@code 4 other files skipped: .heic, .txt}, with {@code where} after "files" ({@code " of the folder"});
   * at most {@value #TYPES_NAMED} types are named.
   */
  String summary(String where) {
    return count + (count == 1 ? " other file" : " other files") + where + " skipped: " + typeList();
  }

  /** The types, at most {@value #TYPES_NAMED} of them named: {@code .heic, .txt}. */
  String typeList() {
    if (types.size() <= TYPES_NAMED) {
      return String.join(", ", types);
    }
    int more = types.size() - TYPES_NAMED;
    return String.join(", ", types.subList(0, TYPES_NAMED)) + " and " + more
        + (more == 1 ? " other type" : " other types");
  }

  private static String typeOf(Path file) {
    return extensionOf(file).map(extension -> "." + extension).orElse(NO_EXTENSION);
  }

  /** A file name's extension, lower case without the dot ({@code jpg}); none for {@code README} or {@code a.}. */
  static Optional<String> extensionOf(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot <= 0 || dot == name.length() - 1 ? Optional.empty()
        : Optional.of(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static List<String> sorted(Stream<String> types) {
    TreeSet<String> distinct = types.collect(Collectors.toCollection(TreeSet::new));
    List<String> result = new ArrayList<>(distinct);
    // "no extension" is not an extension: listed after the real ones, not sorted among them
    if (result.remove(NO_EXTENSION)) {
      result.add(NO_EXTENSION);
    }
    return result;
  }
}
