package org.stmzoo.recipes.train;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.stmzoo.datasets.pipeline.Batch;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.io.ShellWords;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.output.CurvePlot;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.EventFileWriter;
import org.stmzoo.recipes.output.RunDirectory;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * The epoch loop: one {@link TrainingGraph#runStep} per batch with the per-step cosine rate, a progress bar,
 * evaluation after each epoch (of the EMA weights on request), and the run folder's records: summary.csv,
 * TensorBoard scalars, the curve plot, and checkpoint folders {@code last} (every epoch, before its evaluation,
 * on Ctrl-C, and every N steps on request: {@link #saveLastEvery}) and {@code best} (highest eval top-1, or lowest
 * train loss without a validation set), in the one stmzoo checkpoint layout ({@link CheckpointFolder}) with the
 * optimizer and EMA state as extra variables and, in the metadata, which weights the score is of.
 *
 * <p>Where it starts is the optimizer's step count in the session: 0 for a fresh run, the checkpoint's for a
 * resumed one ({@link #restoreLast}); epoch and batch follow from it, and the loader replays the same order.
 */
public final class Trainer {
  private static final int LOG_EVERY_STEPS = 10;

  private final Session session;
  private final TrainingGraph graph;
  private final BatchLoader train;
  private final Optional<BatchLoader> val;
  private final List<String> classNames;
  private final CheckpointFolder.Metadata checkpointMetadata;
  private final RecipeConfig config;
  private final RunDirectory run;
  private final ProgressReporter progress;
  private final PrintStream log;
  private final CosineSchedule schedule;
  private volatile boolean stopRequested;
  /** Steps between the saves of {@code last} within an epoch; 0 for none. */
  private int saveEverySteps;
  /** The step count of the restored checkpoint's record, 0 before a restore. */
  private long completedSteps;
  /** The running sums of the epoch the restored checkpoint was saved in the middle of, or null. */
  private CheckpointFolder.EpochSoFar restoredEpoch;

  /**
   * @param checkpointMetadata what the run's checkpoints hold (model, classes, input); the trainer adds where
   *     training stood at each save
   */
  public Trainer(Session session, TrainingGraph graph, BatchLoader train, Optional<BatchLoader> val,
      CheckpointFolder.Metadata checkpointMetadata, RecipeConfig config, RunDirectory run, ProgressReporter progress,
      PrintStream log) {
    if (checkpointMetadata.numClasses() != graph.numClasses()) {
      throw new IllegalArgumentException("checkpoint metadata says " + checkpointMetadata.numClasses()
          + " classes, the graph has " + graph.numClasses());
    }
    this.session = session;
    this.graph = graph;
    this.train = train;
    this.val = val;
    this.classNames = checkpointMetadata.classNames();
    this.checkpointMetadata = checkpointMetadata;
    this.config = config;
    this.run = run;
    this.progress = progress;
    this.log = log;
    this.schedule = CosineSchedule.of(config.scaledLr(), config.minLr(), config.warmupLr(), config.warmupEpochs(),
        config.epochs(), train.batchesPerEpoch());
  }

  public CosineSchedule schedule() {
    return schedule;
  }

  /**
   * Restores model, optimizer, EMA and step from {@code last}; returns the step to continue from. As the run's
   * writer, first puts back what a save cut off between its renames left ({@link RunDirectory#recoverCheckpoints}).
   */
  public long restoreLast() throws IOException {
    run.recoverCheckpoints();
    if (!run.hasCheckpoint(RunDirectory.LAST)) {
      throw new IllegalArgumentException("nothing to resume: " + run.root() + " has no 'last' checkpoint");
    }
    graph.checkpoint().restore(session, CheckpointFolder.prefix(run.checkpoint(RunDirectory.LAST)).toString());
    // the optimizer's own count is a float32 (as torch's is) and stops at 2^24; the checkpoint's record is a long
    CheckpointFolder.Training saved = run.checkpointMetadata(RunDirectory.LAST).training();
    completedSteps = saved != null ? saved.step() : graph.completedSteps(session);
    restoredEpoch = saved != null ? saved.epochSoFar() : null;
    return completedSteps;
  }

  /**
   * The records of a run whose {@code last} checkpoint has done all {@code epochs} of {@code stepsPerEpoch} steps,
   * with the line a resume of it prints; empty when there is more to train (or {@code last} records no step): what
   * {@link #fit} would find after {@link #restoreLast}, found from the checkpoint's record alone, so that a resume
   * of a finished run need not build and restore its training graph first. As the run's writer, it first puts back
   * what a save cut off between its renames left.
   */
  public static Optional<List<EpochRecord>> finishedRun(RunDirectory run, long stepsPerEpoch, int epochs,
      PrintStream log) throws IOException {
    run.recoverCheckpoints();
    if (!run.hasCheckpoint(RunDirectory.LAST)) {
      return Optional.empty(); // restoreLast says there is nothing to resume
    }
    CheckpointFolder.Training saved = run.checkpointMetadata(RunDirectory.LAST).training();
    if (saved == null || saved.step() / stepsPerEpoch < epochs) {
      return Optional.empty();
    }
    logFinished(run, epochs, saved.step(), log);
    return Optional.of(run.readSummary().stream().filter(r -> r.epoch() < epochs).toList());
  }

  /** A resume must repeat the run's --epochs (and the schedule follows from them): a longer run is a new one. */
  private static void logFinished(RunDirectory run, int epochs, long step, PrintStream log) {
    log.printf(Locale.ROOT, "Nothing to resume: the run already finished its %d epoch%s (step %d); to train longer,"
        + " start a new run from its weights with --init %s%n", epochs, epochs == 1 ? "" : "s", step,
        ShellWords.quote(run.root().resolve(RunDirectory.LAST)));
  }

  /**
   * Also saves {@code last} after every {@code steps}-th step of the run (its optimizer step count) within an epoch,
   * as a stop saves it: the step, the epochs done, no score; {@code --resume} continues from it exactly. 0, the
   * default: only at epoch ends and on a stop. It changes when {@code last} is written, not what is trained.
   */
  public void saveLastEvery(int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps between saves must be 0 (none) or positive, got " + steps);
    }
    saveEverySteps = steps;
  }

  /**
   * Asks the loop to save {@code last} and return after the current step (what Ctrl-C does); a stop at an epoch's
   * end skips that epoch's evaluation.
   */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Trains until {@code config.epochs()} or a stop request; returns all epoch records of the run (earlier ones
   * from summary.csv when resuming).
   */
  public List<EpochRecord> fit() throws IOException {
    return fit(() -> {});
  }

  /**
   * As {@link #fit()}, then runs {@code release} (which lets a cluster's workers go, say) however the loop ended
   * (finished, stopped or failed) and before a Ctrl-C lets the JVM exit; but not after a TensorFlow error, which
   * may mean that a device or task {@code release} would wait for is gone.
   */
  public List<EpochRecord> fit(Runnable release) throws IOException {
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      requestStop();
      try {
        // Let the loop finish its step and write the checkpoint before the JVM goes. An evaluation already
        // running when the stop comes may outlast the wait; its epoch is in last by then.
        finished.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stmzoo-save-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean sessionFailed = false;
    try {
      return loop();
    } catch (TensorFlowException e) {
      sessionFailed = true;
      throw e;
    } finally {
      try {
        if (!sessionFailed) {
          release.run();
        }
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running: it only waits for the latch released above.
        }
      }
    }
  }

  private List<EpochRecord> loop() throws IOException {
    long stepsPerEpoch = train.batchesPerEpoch();
    // the optimizer's float32 count is below the record only past 2^24 steps
    long step = Math.max(completedSteps, graph.completedSteps(session));
    int startEpoch = (int) (step / stepsPerEpoch);
    List<EpochRecord> records = new ArrayList<>(run.readSummary().stream().filter(r -> r.epoch() < startEpoch)
        .toList());
    double best = bestScore(records);
    if (startEpoch >= config.epochs()) {
      logFinished(run, config.epochs(), step, log);
      return records;
    }
    if (startEpoch > 0 || step > 0) {
      log.printf(Locale.ROOT, "Resuming at epoch %d, step %d%n", startEpoch + 1, step);
    }
    try (EventFileWriter events = new EventFileWriter(run.tensorboard())) {
      for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
        int startBatch = (int) (step - epoch * stepsPerEpoch);
        // An epoch resumed from its middle goes on from the sums saved with it, so that its row covers the whole
        // epoch: a mean of the later, lower losses alone would favour it for best/ (without validation).
        CheckpointFolder.EpochSoFar before = epoch == startEpoch && startBatch > 0 && restoredEpoch != null
            ? restoredEpoch : CheckpointFolder.EpochSoFar.NONE;
        long epochStart = System.nanoTime();
        double lossSum = before.lossSum();
        long images = before.images();
        int steps = before.steps();
        int batch = startBatch;
        double lr = schedule.lr(step);
        try (ProgressReporter.EpochProgress bar = progress.epoch(epoch, config.epochs(), stepsPerEpoch, startBatch)) {
          Iterator<Batch> batches = train.epoch(epoch, startBatch);
          while (batches.hasNext()) {
            Batch b = batches.next();
            lr = schedule.lr(step);
            float loss = graph.runStep(session, b.images(), b.labels(), b.size(), step, lr);
            if (!Float.isFinite(loss)) {
              throw new IllegalStateException("loss is " + loss + " at step " + step + "; stopping (lower --lr?)");
            }
            step++;
            batch++;
            steps++;
            images += graph.replicas().globalBatch(b.size());
            lossSum += loss;
            double seconds = before.seconds() + (System.nanoTime() - epochStart) / 1e9;
            bar.step(batch, lossSum / steps, lr, images / seconds);
            if (step % LOG_EVERY_STEPS == 0) {
              events.scalar("train/loss", step, loss);
              events.scalar("train/lr", step, lr);
            }
            if (stopRequested) {
              break;
            }
            // Only after a step that returned a finite loss: a TensorFlow error or a non-finite loss leaves the
            // loop by its exception above, never reaching here, since the weights may then be partly updated (a
            // step that failed after some of its assignments ran) or NaN, and would replace a good last. The
            // epoch's last step is saved at the epoch's end below.
            if (saveEverySteps > 0 && step % saveEverySteps == 0 && step < (epoch + 1) * stepsPerEpoch) {
              saveLast(step, epoch, new CheckpointFolder.EpochSoFar(steps, images, lossSum, seconds));
            }
          }
        }
        double seconds = before.seconds() + (System.nanoTime() - epochStart) / 1e9;
        if (stopRequested && step < (epoch + 1) * stepsPerEpoch) {
          saveLast(step, epoch, new CheckpointFolder.EpochSoFar(steps, images, lossSum, seconds));
          log.printf(Locale.ROOT, "Interrupted: saved step %d to %s; continue with --resume%n", step,
              run.root().resolve(RunDirectory.LAST));
          return records;
        }
        EpochRecord trained = new EpochRecord(epoch, steps == 0 ? Double.NaN : lossSum / steps, Double.NaN,
            Double.NaN, Double.NaN, lr, images / seconds, seconds);
        records.add(trained);
        // The epoch is kept before it is evaluated (DeiT saves checkpoint.pth before evaluate()): an evaluation
        // that fails, or outlasts the shutdown hook's wait after Ctrl-C, costs the epoch's score, not its training.
        run.writeSummary(records);
        saveLast(step, epoch + 1, null);
        // after a stop the evaluation is skipped, so that Ctrl-C at an epoch's end exits at once
        EpochRecord record = stopRequested ? trained : withEvaluation(trained);
        records.set(records.size() - 1, record);
        progress.epochFinished(record);
        writeRecords(events, records, record);
        if (record.hasEval()) {
          run.updateTraining(RunDirectory.LAST, metadata(step, epoch + 1, record.evalTop1(), null).training());
        }
        if (score(record) > best) {
          best = score(record);
          run.saveCheckpoint(session, graph.checkpoint(), RunDirectory.BEST,
              metadata(step, epoch + 1, record.evalTop1(), null));
        }
        log.println(describe(record));
        if (stopRequested) {
          log.printf(Locale.ROOT, "Interrupted: saved epoch %d (step %d) to %s%s; continue with --resume%n",
              epoch + 1, step, run.root().resolve(RunDirectory.LAST),
              val.isPresent() && !record.hasEval() ? ", without its evaluation" : "");
          return records;
        }
      }
    }
    return records;
  }

  /** {@code trained} with the evaluation of the current weights; unchanged without a validation set. */
  private EpochRecord withEvaluation(EpochRecord trained) {
    return evaluate().map(eval -> new EpochRecord(trained.epoch(), trained.trainLoss(), eval.loss(), eval.top1(),
        eval.top5(), trained.lr(), trained.imagesPerSecond(), trained.epochSeconds())).orElse(trained);
  }

  private Optional<EvalResult> evaluate() {
    if (val.isEmpty()) {
      return Optional.empty();
    }
    Evaluator evaluator = new Evaluator(graph.evalImages(), graph.evalLogits(), graph.numClasses());
    boolean useEma = evaluatesEma();
    if (useEma) {
      graph.swapEma(session);
    }
    try {
      return Optional.of(evaluator.evaluate(session, val.get(), classNames));
    } finally {
      if (useEma) {
        graph.swapEma(session);
      }
    }
  }

  /** Whether the epochs' evaluations (and so the choice of {@code best}) score the EMA weights. */
  private boolean evaluatesEma() {
    return config.evalEma() && graph.hasEma();
  }

  private void writeRecords(EventFileWriter events, List<EpochRecord> records, EpochRecord r) throws IOException {
    run.writeSummary(records);
    events.scalar("epoch/train_loss", r.epoch(), r.trainLoss());
    if (r.hasEval()) {
      events.scalar("epoch/eval_loss", r.epoch(), r.evalLoss());
      events.scalar("epoch/eval_top1", r.epoch(), r.evalTop1());
      events.scalar("epoch/eval_top5", r.epoch(), r.evalTop5());
    }
    events.scalar("epoch/img_per_s", r.epoch(), r.imagesPerSecond());
    CurvePlot.write(run.plot(), records);
  }

  /**
   * Saves {@code last}, before its evaluation (no score yet); {@code soFar}: the sums of the epoch it is saved in the
   * middle of, null at an epoch's end.
   */
  private void saveLast(long step, int epochsDone, CheckpointFolder.EpochSoFar soFar) throws IOException {
    run.saveCheckpoint(session, graph.checkpoint(), RunDirectory.LAST, metadata(step, epochsDone, Double.NaN,
        soFar));
  }

  /** Where training stands: the score (NaN: none) and, mid-epoch, the epoch's sums so far (else null). */
  private CheckpointFolder.Metadata metadata(long step, int epochsDone, double evalTop1,
      CheckpointFolder.EpochSoFar soFar) {
    return checkpointMetadata.withTraining(new CheckpointFolder.Training(step, epochsDone,
        Double.isNaN(evalTop1) ? null : evalTop1, graph.hasEma(), evaluatesEma(), soFar));
  }

  /**
   * The score a resumed run's epochs must beat for {@code best}: that of the epoch {@code best/} holds (its
   * metadata's epochs done), not the highest in summary.csv, which is written before {@code best/} and keeps an
   * epoch whose {@code best/} a crash lost. Without a readable {@code best/}, any scored epoch beats it.
   */
  private double bestScore(List<EpochRecord> records) {
    CheckpointFolder.Training saved;
    try {
      saved = run.hasCheckpoint(RunDirectory.BEST) ? run.checkpointTraining(RunDirectory.BEST) : null;
    } catch (IOException | IllegalArgumentException damaged) {
      log.printf(Locale.ROOT, "%s is unreadable (%s); the next best epoch replaces it%n",
          run.root().resolve(RunDirectory.BEST), damaged.getMessage());
      return Double.NEGATIVE_INFINITY;
    }
    if (saved == null) {
      return Double.NEGATIVE_INFINITY;
    }
    return records.stream().filter(r -> r.epoch() == saved.epochsDone() - 1).mapToDouble(this::score).findFirst()
        .orElse(Double.NEGATIVE_INFINITY);
  }

  /**
   * Higher is better: eval top-1, or minus the train loss without validation. With validation, an epoch whose
   * evaluation was skipped (a stop) or failed never counts as best.
   */
  private double score(EpochRecord r) {
    if (val.isPresent()) {
      return r.hasEval() ? r.evalTop1() : Double.NEGATIVE_INFINITY;
    }
    return -r.trainLoss();
  }

  private String describe(EpochRecord r) {
    String eval = r.hasEval() ? String.format(Locale.ROOT, " eval loss %.4f top-1 %.2f%% top-5 %.2f%%",
        r.evalLoss(), r.evalTop1(), r.evalTop5()) : "";
    return String.format(Locale.ROOT, "epoch %d: train loss %.4f%s lr %.3e %.1f img/s (%.1f s)", r.epoch() + 1,
        r.trainLoss(), eval, r.lr(), r.imagesPerSecond(), r.epochSeconds());
  }
}
