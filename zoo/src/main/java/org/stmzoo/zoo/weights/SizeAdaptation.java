package org.stmzoo.zoo.weights;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;

/**
 * Weights of an stmzoo checkpoint (stmzoo layout) for a model built at another image size: a tensor whose shape
 * depends on the size (a position embedding, a relative-position table) goes back to the reference layout and
 * through the same resizing the importer applies to a reference checkpoint of another size (the family's
 * {@link EmbeddingResize}, else {@link ReferenceLayout}'s bicubic grid resize), so a checkpoint and the published
 * weights it came from adapt alike. Every other tensor must keep its shape.
 */
public final class SizeAdaptation {
  private SizeAdaptation() {}

  /**
   * @param values the checkpoint's tensors by variable path, stmzoo layout
   * @param variables the variables of the model built at the new size
   * @return the values for {@code variables}, resized where their shapes differ
   * @throws IllegalArgumentException naming the variable that has no value or cannot be resized
   */
  public static Map<String, RawTensor> adapt(Map<String, RawTensor> values, Iterable<ModelVariable> variables,
      KeyMap map, Consumer<String> notes) {
    Map<String, RawTensor> out = new java.util.LinkedHashMap<>();
    for (ModelVariable v : variables) {
      if (!ReferenceLayout.imported(v)) {
        continue;
      }
      RawTensor value = values.get(v.path());
      if (value == null) {
        throw new IllegalArgumentException("the checkpoint holds no tensor for " + v.path());
      }
      out.put(v.path(), Arrays.equals(value.shape(), v.shape().asArray()) ? value : resize(value, v, map, notes));
    }
    return out;
  }

  /**
   * One checkpoint tensor (stmzoo layout) of another shape than {@code v}, resized to it as the importer resizes it
   * for another image size; e.g. for {@code train --init} at another size.
   *
   * @throws IllegalArgumentException naming the variable when the importer has no resizing for it
   */
  public static RawTensor resize(RawTensor value, ModelVariable v, KeyMap map, Consumer<String> notes) {
    RawTensor reference = value;
    if (v.role() == VariableRole.EMBEDDING && value.rank() == 4) {
      reference = Layouts.permute(value, 0, 3, 1, 2); // NHWC grid back to the reference's [1, C, H, W]
    }
    EmbeddingResize resize = map.resizeFor(v.path()).orElse(null);
    if (resize != null) {
      reference = resize.resize(reference, v.shape().asArray());
    }
    if (reference != null && (resize != null || v.role() == VariableRole.EMBEDDING)) {
      RawTensor converted = ReferenceLayout.toVariable(reference, v, notes).orElse(null);
      if (converted != null) {
        notes.accept(v.path() + ": resized from " + value.shapeString() + " to " + converted.shapeString()
            + " as the importer resizes it for another image size");
        return converted;
      }
    }
    throw new IllegalArgumentException(v.path() + " has shape " + value.shapeString() + " in the checkpoint and "
        + v.shape() + " at this image size, and the importer has no resizing for it");
  }
}
