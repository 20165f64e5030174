package org.stmzoo.recipes.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arguments a chief sends its workers, as the control message carries them, and a worker's refusal. */
class SharedArgumentsTest {
  private static SharedArguments of(String... nameValues) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      values.put(nameValues[i], nameValues[i + 1]);
    }
    return new SharedArguments(values);
  }

  @Test
  void theMessageCarriesTheArgumentsInTheirOrderNoneIncluded() {
    SharedArguments chief = of("--data", "image folder", "--val-split", null, "classes", "[a=1, \"b\"\nc]",
        "--seed", "0");
    SharedArguments read = SharedArguments.decode(chief.encode());
    assertThat(read).isEqualTo(chief);
    assertThat(read.values().keySet()).containsExactly("--data", "--val-split", "classes", "--seed");
    assertThat(chief.differences(read, 1)).isEmpty();
  }

  @Test
  void aWorkerNamesEveryArgumentThatDiffersWithBothValues() {
    SharedArguments chief = of("--epochs", "2", "--val-split", "0.1", "--seed", "0");
    SharedArguments worker = of("--epochs", "2", "--val-split", null, "--seed", "7");
    assertThat(worker.differences(chief, 1)).hasValue("task 1's --val-split none differs from the chief's 0.1,"
        + " --seed 7 from 0");
    // one the chief has not (an older chief), or only the chief has
    assertThat(of("--seed", "0").differences(of("--seed", "0", "--aa", "rand-m9"), 2))
        .hasValue("task 2's --aa none differs from the chief's rand-m9");
    // the chief's line names every task that refused
    assertThat(SharedArguments.refused(List.of("task 1's --seed 7 differs from the chief's 0",
        "task 2's --epochs 1 differs from the chief's 2"))).hasMessage("task 1's --seed 7 differs from the chief's"
        + " 0; task 2's --epochs 1 differs from the chief's 2; every task must run with the same training arguments");
  }
}
