package org.stmzoo.zoo.analysis;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** The analyses' PNG figures: heat maps drawn pixel by pixel, curves with XChart. */
final class Figures {
  /**
   * The upper half of ColorBrewer's RdYlGn, which is what {@code analyze_erf.py}'s seaborn heat map (cmap RdYlGn,
   * center 0) shows for values in [0, 1]: yellow at 0 to dark green at 1.
   */
  private static final int[] YELLOW_TO_GREEN = {0xffffbf, 0xd9ef8b, 0xa6d96a, 0x66bd63, 0x1a9850, 0x006837};
  private static final int TITLE_HEIGHT = 24;
  private static final int MIN_SIDE = 256;

  private Figures() {}

  /** {@code values} ({@code size x size} in [0, 1]) as a heat map, scaled up to at least 256 pixels. */
  static void heatmap(Path png, double[] values, int size, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int scale = Math.max(1, (MIN_SIDE + size - 1) / size);
    int side = size * scale;
    BufferedImage image = new BufferedImage(side, side + TITLE_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, side, TITLE_HEIGHT);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(title, 4, 17);
    g.dispose();
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        image.setRGB(x, TITLE_HEIGHT + y, colour(values[(y / scale) * size + x / scale]));
      }
    }
    write(png, image);
  }

  static int colour(double v) {
    double t = Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    double pos = t * (YELLOW_TO_GREEN.length - 1);
    int i = Math.min((int) pos, YELLOW_TO_GREEN.length - 2);
    double f = pos - i;
    int a = YELLOW_TO_GREEN[i];
    int b = YELLOW_TO_GREEN[i + 1];
    int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
    int gr = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
    int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
    return (r << 16) | (gr << 8) | bl;
  }

  /** One named curve. */
  record Curve(String name, double[] x, double[] y) {}

  /** Curves over a shared x axis, one chart per y quantity, side by side in one PNG. */
  static void curves(Path png, String xTitle, List<String> titles, List<List<Curve>> charts) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int width = 520;
    int height = 400;
    BufferedImage image = new BufferedImage(width * charts.size(), height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    for (int i = 0; i < charts.size(); i++) {
      XYChart chart = new XYChartBuilder().width(width).height(height).title(titles.get(i)).xAxisTitle(xTitle)
          .yAxisTitle(titles.get(i)).build();
      chart.getStyler().setMarkerSize(4);
      for (Curve c : charts.get(i)) {
        chart.addSeries(c.name(), c.x(), c.y()).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      }
      g.drawImage(BitmapEncoder.getBufferedImage(chart), width * i, 0, null);
    }
    g.dispose();
    write(png, image);
  }

  /** Images ({@code [0, 1]} HWC, RGB) side by side with a caption each, scaled up to at least 128 pixels. */
  static void row(Path png, List<float[]> images, int size, List<String> captions) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int scale = Math.max(1, (128 + size - 1) / size);
    int side = size * scale;
    int gap = 8;
    BufferedImage image = new BufferedImage(images.size() * (side + gap), side + TITLE_HEIGHT,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int k = 0; k < images.size(); k++) {
      g.drawString(captions.get(k), k * (side + gap) + 2, 16);
    }
    g.dispose();
    for (int k = 0; k < images.size(); k++) {
      float[] px = images.get(k);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int o = ((y / scale) * size + x / scale) * 3;
          image.setRGB(k * (side + gap) + x, TITLE_HEIGHT + y, (level(px[o]) << 16) | (level(px[o + 1]) << 8)
              | level(px[o + 2]));
        }
      }
    }
    write(png, image);
  }

  private static int level(float v) {
    return Math.max(0, Math.min(255, Math.round(v * 255f)));
  }

  private static void write(Path png, BufferedImage image) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
