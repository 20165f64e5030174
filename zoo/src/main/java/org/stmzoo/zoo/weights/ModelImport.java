package org.stmzoo.zoo.weights;

import org.stmzoo.zoo.registry.BuiltModel;
import org.tensorflow.Session;

/** Initialises a built model in a session and overwrites its variables with a reference checkpoint's. */
public final class ModelImport {
  private ModelImport() {}

  /**
   * Runs the model's initializers (so a re-initialised head gets its fresh values), then assigns every
   * imported tensor. Fails before touching the session if the checkpoint does not fit.
   */
  public static WeightImporter.Plan apply(BuiltModel built, StateDict checkpoint, Session session) {
    KeyMap map = KeyMaps.forFamily(built.entry().family());
    WeightImporter.Plan plan = WeightImporter.plan(built.entry().name(), checkpoint,
        built.model().variables().values(), map);
    session.runner().addTarget(built.model().initializer()).run();
    VariableAssigner.assign(session, built.model(), plan.values());
    return plan;
  }
}
