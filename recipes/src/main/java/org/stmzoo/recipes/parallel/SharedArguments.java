package org.stmzoo.recipes.parallel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What every task of a cluster must run with for its shards to be slices of the chief's batches (the data, the
 * recipe, the seed...): each argument's name as the user gave it ({@code --seed}) and its value as text. The
 * chief sends its own with the start step ({@link ClusterChief#start}); a worker whose own differ refuses to
 * produce ({@link ShardProducer}) and answers the chief so, and both end with the one line naming the arguments
 * that differ.
 */
public record SharedArguments(Map<String, String> values) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public SharedArguments {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The arguments as the control message carries them (JSON, in their order). */
  String encode() {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static SharedArguments decode(String json) {
    try {
      return new SharedArguments(JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the chief's arguments do not read as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * What differs between these arguments of task {@code task} and the chief's, if anything: e.g.
   * {@code task 1's --seed 7 differs from the chief's 0} (every argument that differs, with both values).
   */
  public Optional<String> differences(SharedArguments chief, int task) {
    Set<String> names = new LinkedHashSet<>(chief.values.keySet());
    names.addAll(values.keySet());
    List<String> differ = new ArrayList<>();
    for (String name : names) {
      String mine = values.get(name);
      String theirs = chief.values.get(name);
      if (!Objects.equals(mine, theirs)) {
        differ.add(name + " " + shown(mine) + (differ.isEmpty() ? " differs from the chief's " : " from ")
            + shown(theirs));
      }
    }
    return differ.isEmpty() ? Optional.empty() : Optional.of("task " + task + "'s " + String.join(", ", differ));
  }

  /** The one-line error of a worker, or of the chief, for the {@link #differences} of one or more tasks. */
  public static IllegalArgumentException refused(List<String> differences) {
    return new IllegalArgumentException(String.join("; ", differences)
        + "; every task must run with the same training arguments");
  }

  private static String shown(String value) {
    return value == null ? "none" : value;
  }
}
