package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Save and restore ops in TF's V2 checkpoint format (the one {@code tf.train.load_checkpoint} reads), keyed
 * by variable path. TF Java's own saver only knows ref variables, so we build SaveV2/RestoreV2 ourselves; the
 * same ops back a SavedModel's SaverDef.
 *
 * @param prefix string placeholder: the checkpoint prefix ({@code dir/name} without suffix)
 * @param save writes every variable of this set
 * @param restore assigns every variable of this set from the checkpoint
 * @param variables the variables covered, in order
 */
public record CheckpointOps(Placeholder<TString> prefix, Op save, Op restore, List<ModelVariable> variables) {

  public static CheckpointOps build(ModelGraph model, String scopeName, Collection<ModelVariable> variables) {
    return build(model, scopeName, variables, ModelVariable::path);
  }

  /**
   * Save/restore ops whose checkpoint keys are {@code key(variable)} instead of the path, e.g. a teacher built
   * under {@code teacher/} restored from a checkpoint written without that prefix.
   */
  public static CheckpointOps build(ModelGraph model, String scopeName, Collection<ModelVariable> variables,
      java.util.function.Function<ModelVariable, String> key) {
    Ops tf = model.tf().withSubScope(scopeName);
    Placeholder<TString> prefix = tf.withName("filename").placeholder(TString.class,
        Placeholder.shape(Shape.scalar()));
    List<ModelVariable> list = List.copyOf(variables);
    if (list.stream().anyMatch(ModelVariable::frozen)) {
      throw new IllegalArgumentException("a graph with frozen weights has no variables to save or restore");
    }
    String[] names = list.stream().map(key).toArray(String[]::new);
    String[] slices = new String[names.length];
    java.util.Arrays.fill(slices, "");
    Operand<TString> nameTensor = tf.constant(NdArrays.vectorOfObjects(names));
    Operand<TString> sliceTensor = tf.constant(NdArrays.vectorOfObjects(slices));
    List<Operand<?>> values = new ArrayList<>(list.size());
    list.forEach(v -> values.add(v.value()));
    Op save = tf.withName("save_all").train.save(prefix, nameTensor, sliceTensor, values);

    List<Class<? extends TType>> dtypes = new ArrayList<>();
    list.forEach(v -> dtypes.add(TFloat32.class));
    Restore restored = tf.train.restore(prefix, nameTensor, sliceTensor, dtypes);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      // named by position, so that a restore error naming its node can be traced back to the variable
      assigns.add(tf.withName(ASSIGN_PREFIX + i).assignVariableOp(list.get(i).handle(), restored.tensors().get(i)));
    }
    Op restore = tf.withName("restore_all").withControlDependencies(assigns).noOp();
    return new CheckpointOps(prefix, save, restore, list);
  }

  public void save(Session session, String checkpointPrefix) {
    try (TString p = TString.scalarOf(checkpointPrefix)) {
      session.runner().feed(prefix, p).addTarget(save).run();
    }
  }

  /**
   * Assigns every variable from the checkpoint at {@code checkpointPrefix}.
   *
   * @throws CheckpointRestoreException one line naming the checkpoint, and the variable when TensorFlow's error
   *     identifies it (a missing key, a shape that differs), instead of TensorFlow's multi-line report
   */
  public void restore(Session session, String checkpointPrefix) {
    try (TString p = TString.scalarOf(checkpointPrefix)) {
      session.runner().feed(prefix, p).addTarget(restore).run();
    } catch (TensorFlowException e) {
      throw CheckpointRestoreException.from(e, checkpointPrefix, this);
    }
  }

  static final String ASSIGN_PREFIX = "assign_";
}
