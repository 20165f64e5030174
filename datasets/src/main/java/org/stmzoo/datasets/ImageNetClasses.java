package org.stmzoo.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The 1000 ImageNet-1k class names in class-index order, so that predictions of ImageNet-pretrained models say
 * "tabby cat" rather than "class_281". Shipped as {@code imagenet-1k-classes.txt} (short names from
 * anishathalye/imagenet-simple-labels, public domain; see {@code imagenet-1k-classes.NOTICE} beside it).
 */
public final class ImageNetClasses {
  public static final int COUNT = 1000;
  private static final String RESOURCE = "imagenet-1k-classes.txt";
  private static final Pattern WORDNET_ID = Pattern.compile("n\\d{8}");
  private static final List<String> NAMES = load();

  private ImageNetClasses() {}

  /** The names, index {@code i} naming logit {@code i}. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * Whether a model naming its classes {@code model} classifies the classes of data naming its own {@code data}:
   * the same names in the same order, or ImageNet-1k named both ways, {@link #names()} on one side and the 1000
   * WordNet ids of an ImageNet folder ({@code n01440764/...}) on the other. An image folder lists its classes
   * sorted, and ImageNet-1k's class index is the order of its sorted ids, so a sorted list of 1000 ids is
   * {@link #names()} in the same order.
   */
  public static boolean sameClasses(List<String> model, List<String> data) {
    return model.equals(data) || model.equals(NAMES) && areWordNetIds(data)
        || data.equals(NAMES) && areWordNetIds(model);
  }

  private static boolean areWordNetIds(List<String> names) {
    if (names.size() != COUNT) {
      return false;
    }
    for (int i = 0; i < COUNT; i++) {
      if (!WORDNET_ID.matcher(names.get(i)).matches() || i > 0 && names.get(i - 1).compareTo(names.get(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static List<String> load() {
    try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the stmzoo-datasets jar");
      }
      List<String> names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
          .filter(line -> !line.isBlank()).toList();
      if (names.size() != COUNT) {
        throw new IllegalStateException(RESOURCE + " holds " + names.size() + " names, not " + COUNT);
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
