package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;

/**
 * A finished (or interrupted) training run: its folder and one record per epoch, earlier ones included when it
 * resumed. {@link #best()} and {@link #last()} are stmzoo checkpoints that {@link Stmzoo#load(Path)} reads.
 */
public record TrainingResult(Path runDirectory, List<EpochRecord> epochs) {
  public TrainingResult {
    epochs = List.copyOf(epochs);
  }

  /** The checkpoint with the best validation top-1 (lowest training loss without validation data). */
  public Path best() {
    return runDirectory.resolve(RunDirectory.BEST);
  }

  /** The checkpoint of the last completed epoch (or of the interrupted step). */
  public Path last() {
    return runDirectory.resolve(RunDirectory.LAST);
  }

  /** The highest validation top-1 in percent, empty without validation data. */
  public OptionalDouble bestTop1() {
    return epochs.stream().filter(EpochRecord::hasEval).mapToDouble(EpochRecord::evalTop1).max();
  }
}
