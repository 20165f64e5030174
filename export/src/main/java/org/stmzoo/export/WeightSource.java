package org.stmzoo.export;

import java.nio.file.Path;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.tensorflow.Session;

/**
 * Where an export's variable values come from. {@link #load} runs after every variable has been initialised
 * (randomly, from the model seed), so a source only overwrites what it has. Pretrained releases and EMA
 * weights plug in here: a source that restores with its own key mapping.
 */
public interface WeightSource {
  /** Sets the variables of {@code model}; {@code checkpoint} covers exactly the variables the export saves. */
  void load(Session session, ModelGraph model, CheckpointOps checkpoint);

  /** One line for the model card, e.g. {@code checkpoint runs/x/ckpt-10}. */
  String description();

  /** Keep the random initialisation (smoke tests, benchmarks, {@code export --all}). */
  static WeightSource randomInit() {
    return new WeightSource() {
      @Override
      public void load(Session session, ModelGraph model, CheckpointOps checkpoint) {}

      @Override
      public String description() {
        return "random initialisation";
      }
    };
  }

  /**
   * A V2 checkpoint keyed by variable path (what {@link CheckpointOps} writes); extra keys such as optimizer
   * slots are ignored.
   *
   * @param prefix the checkpoint prefix, e.g. {@code dir/ckpt-100} (the files are {@code prefix.index} ...)
   */
  static WeightSource checkpoint(Path prefix) {
    if (!java.nio.file.Files.isRegularFile(Path.of(prefix + ".index"))) {
      throw new IllegalArgumentException("no checkpoint at " + prefix + " (expected " + prefix + ".index)");
    }
    return new WeightSource() {
      @Override
      public void load(Session session, ModelGraph model, CheckpointOps checkpoint) {
        checkpoint.restore(session, prefix.toString());
      }

      @Override
      public String description() {
        return "checkpoint " + prefix;
      }
    };
  }
}
