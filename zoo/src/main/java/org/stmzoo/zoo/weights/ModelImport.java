package org.stmzoo.zoo.weights;

import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
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
    KeyMap map = KeyMaps.forFamily(entry.family());
    WeightImporter.Plan plan = WeightImporter.plan(entry.name(), checkpoint, model.variables().values(), map);
    session.runner().addTarget(model.initializer()).run();
    VariableAssigner.assign(session, model, plan.values());
    return plan;
  }
}
