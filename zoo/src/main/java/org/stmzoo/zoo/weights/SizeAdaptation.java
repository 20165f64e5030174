package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;
import org.stmzoo.recipes.train.CheckpointShapes;
import org.tensorflow.Session;

/**
 * Weights of an stmzoo checkpoint (stmzoo layout) for a model built at another image size: a tensor whose shape
 * depends on the size (a position embedding, a relative-position table) goes back to the reference layout and
 * through the same resizing the importer applies to a reference checkpoint of another size (the family's
 * {@link EmbeddingResize}, else {@link ReferenceLayout}'s bicubic grid resize), so a checkpoint and the published
 * weights it came from adapt alike. Every other tensor must keep its shape, but for the classifier head, which
 * {@link #restore} leaves to its caller. What {@code train --init} and the analyses both load a checkpoint of
 * another size with.
 */
public final class SizeAdaptation {
  private SizeAdaptation() {}

  /**
   * What {@link #restore} left to its caller.
   *
   * @param head the head variables whose checkpoint tensor has another shape (another class count), left as they
   *     were: the caller keeps them freshly initialised or refuses them
   * @param notes one line per resized tensor ({@code pos_embed: resized from ... to ...}), for the user
   */
  public record Restored(List<CheckpointShapes.Mismatch> head, List<String> notes) {
    public Restored {
      head = List.copyOf(head);
      notes = List.copyOf(notes);
    }
  }

  /**
   * Loads an stmzoo checkpoint's weights into {@code model}'s variables, the model built at another image size (or,
   * for fine-tuning, for another class count): every variable whose checkpoint tensor has its shape is restored as
   * it is ({@link CheckpointShapes#restoreMatching}); only the tensors of another shape are then read from the
   * checkpoint files and resized. No model is built at the checkpoint's size to read them: the shapes and values
   * come from the files themselves. Called through {@code StmzooCheckpoint.restoreAdapted}.
   *
   * @param prefix the checkpoint's V2 variables prefix
   * @param keys each variable's key in the checkpoint (its path, or its EMA copy's)
   * @param map the family's key map: which variables are the head, and how size-dependent ones resize
   * @param variables the model's variables to load: not every variable of {@code model}'s graph, which may also
   *     hold a distillation teacher's, never in an stmzoo checkpoint
   *
   * @throws IllegalArgumentException naming a variable outside the head whose shape differs and that the importer
   *     has no resizing for
   */
  public static Restored restore(String prefix, Function<ModelVariable, String> keys, KeyMap map, Session session,
      ModelGraph model, List<ModelVariable> variables) {
    List<CheckpointShapes.Mismatch> mismatched = CheckpointShapes.restoreMatching(session, model,
        variables, prefix, keys);
    List<CheckpointShapes.Mismatch> head = new ArrayList<>();
    List<CheckpointShapes.Mismatch> sized = new ArrayList<>();
    mismatched.forEach(m -> (map.isHead(m.variable().path()) ? head : sized).add(m));
    List<String> notes = new ArrayList<>();
    if (!sized.isEmpty()) {
      List<float[]> values = CheckpointShapes.readValues(prefix, sized.stream().map(m -> keys.apply(m.variable()))
          .toList());
      Map<String, RawTensor> resized = new LinkedHashMap<>();
      for (int i = 0; i < sized.size(); i++) {
        CheckpointShapes.Mismatch m = sized.get(i);
        resized.put(m.variable().path(), resize(new RawTensor(m.checkpointShape(), values.get(i)), m.variable(), map,
            notes::add));
      }
      VariableAssigner.assign(session, model, resized);
    }
    return new Restored(head, notes);
  }

  /**
   * One checkpoint tensor (stmzoo layout) of another shape than {@code v}, resized to it as the importer resizes it
   * for another image size.
   *
   * @throws IllegalArgumentException naming the variable when the importer has no resizing for it
   */
  private static RawTensor resize(RawTensor value, ModelVariable v, KeyMap map, Consumer<String> notes) {
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
