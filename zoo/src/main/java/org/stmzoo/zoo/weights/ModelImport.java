package org.stmzoo.zoo.weights;

import java.util.Collection;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Session;

/** Initialises a built model in a session and overwrites its variables with a reference checkpoint's. */
public final class ModelImport {
  private ModelImport() {}

  /**
   * Runs the model's initializers (so a re-initialised head gets its fresh values), then assigns every
   * imported tensor. Fails before touching the session if the checkpoint does not fit.
   */
  public static WeightImporter.Plan apply(BuiltModel built, StateDict checkpoint, Session session) {
    return apply(built.entry(), built.model(), checkpoint, session);
  }

  /** {@link #apply(BuiltModel, StateDict, Session)} for a graph holding {@code entry}'s classifier built otherwise (an export's). */
  public static WeightImporter.Plan apply(ModelEntry entry, ModelGraph model, StateDict checkpoint, Session session) {
    WeightImporter.Plan plan = plan(entry, model.variables().values(), checkpoint);
    session.runner().addTarget(model.initializer()).run();
    VariableAssigner.assign(session, model, plan.values());
    return plan;
  }

  /**
   * Overwrites {@code variables} (the model's part of a larger, already initialised graph: a training graph,
   * whose optimizer, EMA and teacher keep their state) with the checkpoint's tensors; a re-initialised head
   * keeps its current values.
   */
  public static WeightImporter.Plan assign(ModelEntry entry, ModelGraph model, Collection<ModelVariable> variables,
      StateDict checkpoint, Session session) {
    WeightImporter.Plan plan = plan(entry, variables, checkpoint);
    VariableAssigner.assign(session, model, plan.values());
    return plan;
  }

  private static WeightImporter.Plan plan(ModelEntry entry, Collection<ModelVariable> variables,
      StateDict checkpoint) {
    return WeightImporter.plan(entry.name(), checkpoint, variables, ModelRegistry.keyMap(entry));
  }
}
