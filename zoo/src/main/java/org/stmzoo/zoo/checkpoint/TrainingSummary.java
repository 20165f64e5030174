package org.stmzoo.zoo.checkpoint;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;

/**
 * The model card's {@code training_summary} for weights that come from training: where training stood when the
 * checkpoint was written (from its metadata) and, while the checkpoint still sits in its run folder, the run's
 * record: epochs trained, the best eval top-1, the last {@code summary.csv} row and the data.
 */
public final class TrainingSummary {
  private TrainingSummary() {}

  /** Empty for weights that were not trained by stmzoo (an import). */
  public static Optional<Map<String, Object>> of(StmzooCheckpoint checkpoint, boolean ema) throws IOException {
    CheckpointFolder.Training state = checkpoint.metadata().training();
    if (state == null) {
      return Optional.empty();
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("checkpoint", checkpoint.directory().getFileName().toString());
    summary.put("weights", ema ? "ema" : "trained");
    summary.put("step", state.step());
    summary.put("epochs_done", state.epochsDone());
    summary.put("eval_top1", state.evalTop1());
    summary.put("eval_weights", state.evalEma() ? "ema" : "trained");
    if (checkpoint.run().isPresent()) {
      RunDirectory run = checkpoint.run().get();
      List<EpochRecord> records = run.readSummary();
      summary.put("epochs", records.size());
      summary.put("best_eval_top1", records.stream().filter(EpochRecord::hasEval).mapToDouble(EpochRecord::evalTop1)
          .boxed().max(Double::compare).orElse(null));
      if (!records.isEmpty()) {
        summary.put("last_epoch", row(records.get(records.size() - 1)));
      }
      Map<String, Object> args = run.readArgs();
      for (String key : List.of("epochs", "data", "train_set", "batch_size", "lr")) {
        if (args.get(key) != null) {
          summary.put(key.equals("epochs") ? "epochs_planned" : key, args.get(key));
        }
      }
    }
    return Optional.of(summary);
  }

  /** A summary.csv row under its column names; NaN (no validation) becomes null. */
  private static Map<String, Object> row(EpochRecord r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("epoch", r.epoch());
    row.put("train_loss", orNull(r.trainLoss()));
    row.put("eval_loss", orNull(r.evalLoss()));
    row.put("eval_top1", orNull(r.evalTop1()));
    row.put("eval_top5", orNull(r.evalTop5()));
    row.put("lr", orNull(r.lr()));
    row.put("img_per_s", orNull(r.imagesPerSecond()));
    row.put("epoch_seconds", orNull(r.epochSeconds()));
    return row;
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
