package org.stmzoo.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Graph;

/** Every registered model has exactly the reference implementation's parameter count (224, 1000 classes). */
class ParameterCountTest {
  static Stream<ModelEntry> models() {
    return ModelRegistry.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void matchesReference(ModelEntry entry) {
    Map<String, Long> reference = SharedFiles.referenceParameterCounts();
    assertThat(reference).containsKey(entry.reference());
    try (Graph g = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, ModelOptions.imagenet(), g);
      assertThat(built.model().parameterCount()).as(entry.name()).isEqualTo(reference.get(entry.reference()));
    }
  }
}
