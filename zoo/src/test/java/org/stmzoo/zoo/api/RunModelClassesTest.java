package org.stmzoo.zoo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * A 1000-class import names ImageNet's classes; an ImageNet folder names them by WordNet id. eval of such a
 * checkpoint on an ImageNet folder was refused as other classes, and train --init from it re-initialised the head
 * that was trained on exactly those classes.
 */
class RunModelClassesTest {
  private static final List<String> WORDNET_IDS = wordNetIds();

  private static List<String> wordNetIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ImageNetClasses.COUNT; i++) {
      ids.add(String.format(Locale.ROOT, "n%08d", 1_440_764 + 37 * i));
    }
    return ids;
  }

  @Test
  void anImageNetModelTakesAnImageNetFolderNamedByWordNetIds() {
    RunModel imported = RunModel.of(ModelRegistry.get("deit-tiny"), 224, null, ImageNetClasses.names());
    imported.checkClasses(WORDNET_IDS, "the checkpoint");
    RunModel onFolder = RunModel.of(ModelRegistry.get("deit-tiny"), 224, null, WORDNET_IDS);
    assertThat(onFolder.headMismatch(ImageNetClasses.names(), ImageNetClasses.COUNT)).isEmpty();
  }

  @Test
  void otherClassesOfTheSameCountStayOtherClasses() {
    List<String> shuffled = new ArrayList<>(WORDNET_IDS);
    shuffled.set(0, WORDNET_IDS.get(1));
    shuffled.set(1, WORDNET_IDS.get(0));
    RunModel imported = RunModel.of(ModelRegistry.get("deit-tiny"), 224, null, ImageNetClasses.names());
    assertThatThrownBy(() -> imported.checkClasses(shuffled, "the checkpoint"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was trained on 1000 classes");
    RunModel onFolder = RunModel.of(ModelRegistry.get("deit-tiny"), 224, null, shuffled);
    assertThat(onFolder.headMismatch(ImageNetClasses.names(), ImageNetClasses.COUNT)).isPresent();
  }
}
