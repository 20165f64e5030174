package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.stmzoo.layers.core.ModelVariable;

/**
 * Matches a reference checkpoint against a model's variables, strictly: every variable must receive a tensor
 * of a compatible shape and every tensor must be consumed, by one variable only, or the import fails listing each
 * missing, extra, mis-shaped and twice-taken tensor by name. The one tolerated difference is the classifier head when the number of
 * classes differs: the head keeps its fresh initialisation and a note says so.
 */
public final class WeightImporter {
  /**
   * @param values stmzoo-layout values by variable path, for every variable that is imported
   * @param reinitialised variables left at their initial values (a head for another class count)
   * @param notes what the import changed on the way (head re-initialised, embeddings resized)
   */
  public record Plan(Map<String, RawTensor> values, List<String> reinitialised, List<String> notes) {}

  private WeightImporter() {}

  public static Plan plan(String modelName, StateDict checkpoint, Collection<ModelVariable> variables, KeyMap map) {
    StateDict source = map.normalise(checkpoint);
    Map<String, RawTensor> values = new LinkedHashMap<>();
    Map<String, String> consumedBy = new LinkedHashMap<>();
    List<String> unmapped = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> misShaped = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> takenTwice = new ArrayList<>();
    List<String> nonFinite = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<ModelVariable> headMismatches = new ArrayList<>();
    List<ModelVariable> head = new ArrayList<>();
    for (ModelVariable v : variables) {
      if (!ReferenceLayout.imported(v)) {
        continue;
      }
      if (map.isHead(v.path())) {
        head.add(v);
      }
      Optional<String> key = map.referenceKey(v.path());
      if (key.isEmpty()) {
        unmapped.add("variable '" + v.path() + "' has no reference key in this family's key map");
        continue;
      }
      RawTensor tensor = source.get(key.get());
      if (tensor == null) {
        missing.add("missing tensor '" + key.get() + "' for variable '" + v.path() + "' " + v.shape());
        continue;
      }
      String earlier = consumedBy.putIfAbsent(key.get(), v.path());
      if (earlier != null) {
        // a key-map rule too broad: no family's reference ties two of its variables to one tensor
        takenTwice.add("tensor '" + key.get() + "' would fill both variable '" + earlier + "' and variable '"
            + v.path() + "'");
        continue;
      }
      if (tensor.values().length == 0 && RawTensor.elementCount(v.shape().asArray()) != 0) {
        // an empty tensor cannot fill a variable, and resizing one (a position embedding) indexed element -1
        misShaped.add("tensor '" + key.get() + "' has shape " + tensor.shapeString() + " with no elements, which"
            + " cannot fill variable '" + v.path() + "' " + v.shape());
        continue;
      }
      if (tensor.integerType() != null) {
        // a quantised checkpoint's integer codes, or a buffer mapped by mistake: as floats they are not weights
        misShaped.add("tensor '" + key.get() + "' holds " + tensor.integerType() + " values, which cannot fill"
            + " the float variable '" + v.path() + "' (a quantised checkpoint? import its float weights)");
        continue;
      }
      long bad = nonFinite(tensor.values());
      if (bad > 0) {
        // PyTorch loads NaN and infinities without a word; a float64 beyond float32's range also becomes infinite
        nonFinite.add("tensor '" + key.get() + "' for variable '" + v.path() + "' holds " + bad + " of "
            + tensor.values().length + " values that are NaN or infinite (or beyond float32's range)");
        continue;
      }
      Optional<RawTensor> converted = resized(tensor, v, map, notes)
          .flatMap(t -> ReferenceLayout.toVariable(t, v, notes::add));
      if (converted.isPresent()) {
        values.put(v.path(), converted.get());
      } else if (map.isHead(v.path())) {
        headMismatches.add(v);
      } else {
        misShaped.add("tensor '" + key.get() + "' has shape " + tensor.shapeString() + ", which does not fit variable '"
            + v.path() + "' " + v.shape());
      }
    }
    for (String key : source.keys()) {
      if (!consumedBy.containsKey(key)) {
        unexpected.add("unexpected tensor '" + MessageText.abbreviate(key) + "' " + source.get(key).shapeString()
            + " (no variable takes it)");
      }
    }
    if (!unmapped.isEmpty() || !missing.isEmpty() || !misShaped.isEmpty() || !unexpected.isEmpty()
        || !nonFinite.isEmpty() || !takenTwice.isEmpty()) {
      Map<String, List<String>> problems = new LinkedHashMap<>();
      problems.put("variables without a key", unmapped);
      problems.put("missing", missing);
      problems.put("mis-shaped", misShaped);
      problems.put("unexpected", unexpected);
      problems.put("not finite", nonFinite);
      problems.put("taken twice", takenTwice);
      throw new WeightImportException(modelName, problems);
    }
    List<String> reinitialised = new ArrayList<>();
    if (!headMismatches.isEmpty()) {
      // a head for another class count: the whole head starts afresh, not only its mis-shaped part
      for (ModelVariable v : head) {
        values.remove(v.path());
        reinitialised.add(v.path());
      }
      ModelVariable first = headMismatches.get(0);
      String key = map.referenceKey(first.path()).orElseThrow();
      notes.add("the checkpoint's classifier head (" + key + " " + source.get(key).shapeString()
          + ") does not fit " + first.path() + " " + first.shape() + ": the head is re-initialised ("
          + String.join(", ", reinitialised) + ")");
    }
    return new Plan(values, reinitialised, notes);
  }

  private static long nonFinite(float[] values) {
    long n = 0;
    for (float f : values) {
      if (!Float.isFinite(f)) {
        n++;
      }
    }
    return n;
  }

  /** The tensor after the family's own resizing for another image size, if it declares one for the variable. */
  private static Optional<RawTensor> resized(RawTensor tensor, ModelVariable v, KeyMap map, List<String> notes) {
    Optional<EmbeddingResize> resize = map.resizeFor(v.path());
    if (resize.isEmpty()) {
      return Optional.of(tensor);
    }
    RawTensor out = resize.get().resize(tensor, v.shape().asArray());
    if (out != null && out != tensor) {
      notes.add(v.path() + ": resized from " + tensor.shapeString() + " to " + out.shapeString()
          + " as the reference does for another image size");
    }
    return Optional.ofNullable(out);
  }
}
