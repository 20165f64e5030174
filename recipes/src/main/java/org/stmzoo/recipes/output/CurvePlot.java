package org.stmzoo.recipes.output;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** The run's curves as one PNG: losses (train, eval) beside accuracies (top-1, top-5), per epoch. */
public final class CurvePlot {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 420;

  private CurvePlot() {}

  public static void write(Path png, List<EpochRecord> records) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart loss = chart("Loss", "loss");
    addSeries(loss, "train loss", records, EpochRecord::trainLoss);
    XYChart accuracy = chart("Accuracy", "accuracy (%)");
    if (records.stream().anyMatch(EpochRecord::hasEval)) {
      List<EpochRecord> evaluated = records.stream().filter(EpochRecord::hasEval).toList();
      addSeries(loss, "eval loss", evaluated, EpochRecord::evalLoss);
      addSeries(accuracy, "eval top-1", evaluated, EpochRecord::evalTop1);
      addSeries(accuracy, "eval top-5", evaluated, EpochRecord::evalTop5);
    } else {
      accuracy.setTitle("Accuracy (no validation set)");
    }
    BufferedImage image = new BufferedImage(2 * WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.drawImage(BitmapEncoder.getBufferedImage(loss), 0, 0, null);
    g.drawImage(BitmapEncoder.getBufferedImage(accuracy), WIDTH, 0, null);
    g.dispose();
    AtomicFiles.write(png, tmp -> ImageIO.write(image, "png", tmp.toFile()));
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
        .yAxisTitle(yTitle).build();
    chart.getStyler().setMarkerSize(5);
    return chart;
  }

  private static void addSeries(XYChart chart, String name, List<EpochRecord> records,
      ToDoubleFunction<EpochRecord> value) {
    if (records.isEmpty()) {
      return;
    }
    double[] x = records.stream().mapToDouble(EpochRecord::epoch).toArray();
    double[] y = records.stream().mapToDouble(value).toArray();
    chart.addSeries(name, x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
  }
}
