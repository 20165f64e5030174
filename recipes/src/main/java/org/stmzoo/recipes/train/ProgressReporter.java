package org.stmzoo.recipes.train;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.stmzoo.recipes.output.EpochRecord;

/** Per-epoch progress: step, loss, lr, images/s and ETA. */
public interface ProgressReporter {
  /** One epoch's bar. */
  interface EpochProgress extends AutoCloseable {
    void step(long done, double loss, double lr, double imagesPerSecond);

    @Override
    void close();
  }

  EpochProgress epoch(int epoch, int epochs, long totalSteps, long startStep);

  /** An epoch's record, after its evaluation (summary.csv's row). */
  default void epochFinished(EpochRecord record) {}

  /** Prints nothing (tests, non-interactive runs that only want the summary lines). */
  static ProgressReporter quiet() {
    return (epoch, epochs, total, start) -> new EpochProgress() {
      @Override
      public void step(long done, double loss, double lr, double imagesPerSecond) {}

      @Override
      public void close() {}
    };
  }

  /** A console bar (me.tongfei:progressbar), which computes the ETA from the steps of this epoch. */
  static ProgressReporter console() {
    return (epoch, epochs, total, start) -> {
      ProgressBar bar = new ProgressBarBuilder()
          .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
          .setInitialMax(total)
          .startsFrom(start, Duration.ZERO)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500)
          .continuousUpdate()
          .build();
      return new EpochProgress() {
        @Override
        public void step(long done, double loss, double lr, double imagesPerSecond) {
          bar.stepTo(done);
          bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.2e %.1f img/s", loss, lr,
              imagesPerSecond));
        }

        @Override
        public void close() {
          bar.close();
        }
      };
    };
  }
}
