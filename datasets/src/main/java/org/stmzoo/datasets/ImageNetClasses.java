package org.stmzoo.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in class-index order, so that predictions of ImageNet-pretrained models say
 * "tabby cat" rather than "class_281". Shipped as {@code imagenet-1k-classes.txt} (short names from
 * anishathalye/imagenet-simple-labels, public domain; see {@code imagenet-1k-classes.NOTICE} beside it).
 */
public final class ImageNetClasses {
  public static final int COUNT = 1000;
  private static final String RESOURCE = "imagenet-1k-classes.txt";
  private static final List<String> NAMES = load();

  private ImageNetClasses() {}

  /** The names, index {@code i} naming logit {@code i}. */
  public static List<String> names() {
    return NAMES;
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
