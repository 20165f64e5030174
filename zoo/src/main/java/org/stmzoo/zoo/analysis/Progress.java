package org.stmzoo.zoo.analysis;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of an analysis in work units (one unit is about one image through the model once: a forward pass,
 * or a forward and backward pass counted as {@value #GRADIENT_UNITS}), so that a report over several analyses
 * and models shows one bar with one estimate of the remaining time.
 */
public interface Progress extends AutoCloseable {
  /** A forward and backward pass costs about three forward passes. */
  int GRADIENT_UNITS = 3;

  void advance(long units);

  /** What is running now, shown beside the bar. */
  default void status(String text) {}

  @Override
  default void close() {}

  static Progress quiet() {
    return units -> {};
  }

  /** A console bar (stderr) with the elapsed and the estimated remaining time. */
  static Progress console(String task, long totalUnits) {
    ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalUnits)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).continuousUpdate()
        .setMaxRenderedLength(120)
        .build();
    return new Progress() {
      @Override
      public void advance(long units) {
        bar.stepBy(units);
      }

      @Override
      public void status(String text) {
        bar.setExtraMessage(" " + text);
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }
}
