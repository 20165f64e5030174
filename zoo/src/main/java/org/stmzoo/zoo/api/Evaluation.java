package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.recipes.train.EvalResult;
import org.stmzoo.recipes.train.Evaluator;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Runs an {@link EvalSpec}: top-1/top-5, loss, per-class accuracy and the confusion matrix of a checkpoint. */
public final class Evaluation {
  private Evaluation() {}

  /**
   * Evaluates the checkpoint's weights (or their EMA) on the evaluation set of {@code spec}'s data
   * ({@link DataSpec#evaluationSet}), by default the validation set of the run the checkpoint comes from;
   * {@code log} gets what is evaluated and on what, and a note when these are the live weights of a run that
   * scored its EMA weights ({@link StmzooCheckpoint#emaScoreNote}).
   */
  public static EvalResult run(EvalSpec evalSpec, PrintStream log) throws IOException {
    Objects.requireNonNull(evalSpec, "evalSpec");
    Objects.requireNonNull(log, "log");
    StmzooCheckpoint checkpoint = StmzooCheckpoint.resolve(evalSpec.checkpoint());
    boolean ema = evalSpec.ema();
    int batchSize = evalSpec.batchSize();
    RunModel model = RunModel.of(checkpoint);
    float crop = evalSpec.cropPct() != null ? evalSpec.cropPct() : checkpoint.preprocessing().cropPct();
    // a folder of some of the model's classes is labelled by name with its classes, as train labels --val; a limit
    // samples the run's validation set with the run's seed, as its --limit-val did (which is the default limit
    // there); other data with 0
    ImageDataset data = evalSpec.data() != null
        ? DataSpec.limited(DataSpec.evaluationSet(evalSpec.data(), model.classes()), evalSpec.limit(), 0)
        : runValidationSet(checkpoint, evalSpec.limit());
    model.checkClasses(data.classNames(), "the checkpoint " + checkpoint.directory());
    log.printf(Locale.ROOT, "Evaluating %s from %s on %s (crop-pct %.3f)%n", model.entry().name(),
        checkpoint.describe(ema), data.description(), crop);
    checkpoint.emaScoreNote(ema).ifPresent(note -> log.println("note: " + note + "; --ema evaluates the EMA"
        + " weights"));
    try (Graph g = new Graph(); Session session = new Session(g);
        BatchLoader loader = new BatchLoader(data, model.evalTransform(crop), batchSize, false, false, 0,
            Runtime.getRuntime().availableProcessors())) {
      BuiltModel built = BuiltModel.build(model.entry(), model.options(), g, 0, -1, true);
      checkpoint.restore(session, built, ema);
      Evaluator evaluator = new Evaluator(built.images(), built.output().logits(), model.options().numClasses());
      EvalResult result = evaluator.evaluate(session, loader, data.classNames());
      if (loader.skippedImages() > 0) {
        log.printf("Skipped %d unreadable images%n", loader.skippedImages());
      }
      return result;
    }
  }

  /**
   * The validation set of the checkpoint's run, rebuilt from its args.json as training built it (the same data,
   * validation folder or split, and seed), without the run's limits. A run that validated on nothing is refused:
   * its data is all training images, and scoring them would overstate the accuracy. An args.json written before
   * {@code val} and {@code val_split} were recorded counts as having neither. {@code limit} (null: the run's
   * {@code --limit-val}, as args.json records it, if any) takes a class-stratified sample with the run's seed
   * ({@link DataSpec#limited}), the one training validated on; an args.json written before {@code limit_val} was
   * recorded counts as unlimited.
   */
  private static ImageDataset runValidationSet(StmzooCheckpoint checkpoint, Integer limit) throws IOException {
    RunDirectory run = checkpoint.run().orElseThrow(() -> new IllegalArgumentException("give the data: "
        + checkpoint.directory() + " is not part of a training run, so there is no data to default to"));
    Map<String, Object> args = run.readArgs();
    String data = DataSpec.located((String) args.get("data"), stringOrNull(args.get("data_path")));
    Path val = args.get("val") instanceof String folder
        ? Path.of(DataSpec.located(folder, stringOrNull(args.get("val_path")))) : null;
    Double valSplit = args.get("val_split") instanceof Number fraction ? fraction.doubleValue() : null;
    long seed = args.get("seed") instanceof Number n ? n.longValue() : 0;
    ImageDataset validation = new DataSpec(data, val, valSplit, null, null).validationSet(seed).orElseThrow(() ->
        new IllegalArgumentException("give the data: the run " + run.root() + " has no validation set (its args.json"
            + " records no --val or --val-split, and " + data + " holds no train/ and val/), so all of " + data
            + " is training images"));
    Integer recordedLimit = args.get("limit_val") instanceof Number n ? n.intValue() : null;
    return DataSpec.limited(validation, limit != null ? limit : recordedLimit, seed);
  }

  private static String stringOrNull(Object value) {
    return value instanceof String s ? s : null;
  }
}
