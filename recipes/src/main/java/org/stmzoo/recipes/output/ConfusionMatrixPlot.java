package org.stmzoo.recipes.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** A confusion matrix as a PNG heat map: rows the true class, columns the prediction, cells row-normalised %. */
public final class ConfusionMatrixPlot {
  private ConfusionMatrixPlot() {}

  public static void write(Path png, int[][] confusion, List<String> classNames) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int n = confusion.length;
    int side = Math.max(480, Math.min(1600, 60 * n + 240));
    HeatMapChart chart = new HeatMapChartBuilder().width(side).height(side).title("Confusion matrix (% of true class)")
        .xAxisTitle("predicted").yAxisTitle("true").build();
    chart.getStyler().setShowValue(n <= 20);
    chart.getStyler().setPlotContentSize(1.0);
    int[] axis = new int[n];
    for (int i = 0; i < n; i++) {
      axis[i] = i;
    }
    double[][] heat = new double[n][n];
    for (int t = 0; t < n; t++) {
      long total = 0;
      for (int p = 0; p < n; p++) {
        total += confusion[t][p];
      }
      for (int p = 0; p < n; p++) {
        // XChart's heat map is indexed [x][y]; y grows upwards, so flip the true class to read top-down.
        heat[p][n - 1 - t] = total == 0 ? 0 : Math.round(1000.0 * confusion[t][p] / total) / 10.0;
      }
    }
    List<String> yLabels = new java.util.ArrayList<>(classNames);
    java.util.Collections.reverse(yLabels);
    chart.addSeries("confusion", classNames, yLabels, toNumbers(heat));
    // saveBitmap(chart, String, ...) appends ".png" to the name; the stream form writes where we say.
    AtomicFiles.write(png, tmp -> {
      try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(tmp)) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      }
    });
  }

  private static List<Number[]> toNumbers(double[][] heat) {
    List<Number[]> cells = new java.util.ArrayList<>();
    for (int x = 0; x < heat.length; x++) {
      for (int y = 0; y < heat[x].length; y++) {
        cells.add(new Number[] {x, y, heat[x][y]});
      }
    }
    return cells;
  }
}
