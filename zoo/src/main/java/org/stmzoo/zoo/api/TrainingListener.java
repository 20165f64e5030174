package org.stmzoo.zoo.api;

import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.train.ProgressReporter;

/**
 * Follows a training run: the steps of each epoch, then the epoch's record (losses, accuracies, rate, speed).
 * Called on the training thread; every method defaults to nothing.
 */
public interface TrainingListener {
  /** Where one epoch stands after a step. Epochs count from 0; {@code step} is within the epoch, from 1. */
  record StepProgress(int epoch, int epochs, long step, long stepsPerEpoch, double meanLoss, double lr,
      double imagesPerSecond) {}

  /** An epoch starts at {@code startStep} of its {@code steps} (above 0 when a run resumes mid-epoch). */
  default void epochStarted(int epoch, int epochs, long steps, long startStep) {}

  default void step(StepProgress progress) {}

  /** The epoch's steps are done; its evaluation follows. */
  default void epochTrained(int epoch) {}

  /** The epoch's record, as summary.csv holds it. */
  default void epochFinished(EpochRecord record) {}

  /** Listens to nothing. */
  static TrainingListener none() {
    return new TrainingListener() {};
  }

  /** The progress bar the CLI shows: step, loss, rate, images/s and ETA. */
  static TrainingListener progressBar() {
    return fromReporter(ProgressReporter.console());
  }

  /** Forwards to {@code reporter}'s per-epoch progress. */
  static TrainingListener fromReporter(ProgressReporter reporter) {
    return new TrainingListener() {
      private ProgressReporter.EpochProgress bar;

      @Override
      public void epochStarted(int epoch, int epochs, long steps, long startStep) {
        bar = reporter.epoch(epoch, epochs, steps, startStep);
      }

      @Override
      public void step(StepProgress p) {
        bar.step(p.step(), p.meanLoss(), p.lr(), p.imagesPerSecond());
      }

      @Override
      public void epochTrained(int epoch) {
        bar.close();
      }
    };
  }

  /** This listener as the trainer's progress reporter. */
  default ProgressReporter asReporter() {
    TrainingListener listener = this;
    return new ProgressReporter() {
      @Override
      public EpochProgress epoch(int epoch, int epochs, long totalSteps, long startStep) {
        listener.epochStarted(epoch, epochs, totalSteps, startStep);
        return new EpochProgress() {
          @Override
          public void step(long done, double loss, double lr, double imagesPerSecond) {
            listener.step(new StepProgress(epoch, epochs, done, totalSteps, loss, lr, imagesPerSecond));
          }

          @Override
          public void close() {
            listener.epochTrained(epoch);
          }
        };
      }

      @Override
      public void epochFinished(EpochRecord record) {
        listener.epochFinished(record);
      }
    };
  }
}
