package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * An ImageNet folder names its classes by WordNet id, an imported or published ImageNet model by
 * {@link ImageNetClasses#names()}: the same 1000 classes in the same order, which eval, analyze and train --init
 * refused or treated as other classes.
 */
class ImageNetClassesSameClassesTest {
  private static List<String> wordNetIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ImageNetClasses.COUNT; i++) {
      ids.add(String.format(Locale.ROOT, "n%08d", 1_440_764 + 37 * i)); // sorted, as an image folder lists them
    }
    return ids;
  }

  @Test
  void imageNetNamesAndTheSortedWordNetIdsOfAFolderAreTheSameClasses() {
    List<String> names = ImageNetClasses.names();
    assertThat(ImageNetClasses.sameClasses(names, wordNetIds())).isTrue();
    assertThat(ImageNetClasses.sameClasses(wordNetIds(), names)).isTrue();
    assertThat(ImageNetClasses.sameClasses(List.of("cat", "dog"), List.of("cat", "dog"))).isTrue();
  }

  @Test
  void otherListsAreOtherClasses() {
    List<String> names = ImageNetClasses.names();
    List<String> unsorted = wordNetIds();
    Collections.swap(unsorted, 3, 4);
    assertThat(ImageNetClasses.sameClasses(names, unsorted)).as("not in the folder's sorted order").isFalse();
    assertThat(ImageNetClasses.sameClasses(names, wordNetIds().subList(0, 999))).as("999 ids").isFalse();
    List<String> notIds = wordNetIds();
    notIds.set(10, "tabby");
    assertThat(ImageNetClasses.sameClasses(names, notIds)).as("a name among the ids").isFalse();
    assertThat(ImageNetClasses.sameClasses(wordNetIds(), wordNetIds().subList(0, 1000))).isTrue();
    assertThat(ImageNetClasses.sameClasses(List.of("cat", "dog"), List.of("dog", "cat"))).isFalse();
    assertThat(ImageNetClasses.sameClasses(List.of("cat", "dog"), wordNetIds())).isFalse();
  }
}
