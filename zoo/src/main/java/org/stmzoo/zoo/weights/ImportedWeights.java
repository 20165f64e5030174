package org.stmzoo.zoo.weights;

import java.util.function.Consumer;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.registry.ModelEntry;
import org.tensorflow.Session;

/**
 * Reference weights (a release's state_dict) as the weights of an export: imported through the family's key
 * map once the export's graph exists. Strict: a release that does not cover every variable, including the
 * classifier head, fails the export, since an exported model with a randomly initialised head would look
 * fine and classify at random.
 */
public final class ImportedWeights implements WeightSource {
  private final ModelEntry entry;
  private final StateDict weights;
  private final String description;
  private final Consumer<String> notes;

  /**
   * @param description the weights' origin for the model card, e.g. {@code pretrained u-convnext-micro.in1k}
   * @param notes receives what the import adapted (position embeddings resized for another image size)
   */
  public ImportedWeights(ModelEntry entry, StateDict weights, String description, Consumer<String> notes) {
    this.entry = entry;
    this.weights = weights;
    this.description = description;
    this.notes = notes;
  }

  @Override
  public void load(Session session, ModelGraph model, CheckpointOps checkpoint) {
    WeightImporter.Plan plan = ModelImport.apply(entry, model, weights, session);
    if (!plan.reinitialised().isEmpty()) {
      throw new IllegalArgumentException(description + " does not fit the exported classifier: "
          + String.join("; ", plan.notes()) + ". Export it with the release's classes, or fine-tune first");
    }
    plan.notes().forEach(notes);
  }

  @Override
  public String description() {
    return description;
  }
}
