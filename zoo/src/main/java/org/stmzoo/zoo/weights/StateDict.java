package org.stmzoo.zoo.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A foreign checkpoint's tensors by key, in file order (a PyTorch {@code state_dict}). */
public final class StateDict {
  private final Map<String, RawTensor> tensors;

  public StateDict(Map<String, RawTensor> tensors) {
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public Map<String, RawTensor> tensors() {
    return tensors;
  }

  public Set<String> keys() {
    return tensors.keySet();
  }

  public RawTensor get(String key) {
    return tensors.get(key);
  }

  public boolean contains(String key) {
    return tensors.containsKey(key);
  }

  public int size() {
    return tensors.size();
  }

  /** The same tensors with renamed keys; two keys renamed to one name are an error. */
  public StateDict renameKeys(UnaryOperator<String> rename) {
    Map<String, RawTensor> out = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    tensors.forEach((key, tensor) -> {
      String renamed = rename.apply(key);
      String previous = origin.put(renamed, key);
      if (previous != null) {
        throw new WeightFormatException("checkpoint keys '" + previous + "' and '" + key
            + "' both stand for '" + renamed + "'");
      }
      out.put(renamed, tensor);
    });
    return new StateDict(out);
  }
}
