package io.attune.simulators.evaluation;

import io.attune.adaptation.eval.RunReport;
import io.attune.simulators.export.Png;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A bar chart of the mean error over the corruptions per method: reset per corruption beside
 * continual, with the value on each bar. Drawn with {@code java.awt} like
 * {@link io.attune.simulators.export.ShiftGallery}, no charting library.
 */
public final class ResultsChart {

  private static final int WIDTH = 960;
  private static final int HEIGHT = 480;
  private static final int LEFT = 64;
  private static final int RIGHT = 24;
  private static final int TOP = 72;
  private static final int BOTTOM = 64;
  private static final Color INK = new Color(0x22, 0x22, 0x22);
  private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
  private static final Color RESET = new Color(0x3B, 0x75, 0xAF);
  private static final Color CONTINUAL = new Color(0xEF, 0x8A, 0x3C);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);

  private ResultsChart() {}

  /** Draws the chart of {@code results}. */
  public static BufferedImage render(Results results) {
    List<RunReport> runs = results.perCorruption().runs();
    double top = axisTop(results);
    BufferedImage out = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = Png.canvas(out, Color.WHITE);
    try {
      drawFrame(g, results, top);
      double slot = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, runs.size());
      for (int i = 0; i < runs.size(); i++) {
        RunReport reset = runs.get(i);
        Optional<RunReport> continual = results.continual().run(reset.method());
        int x = (int) (LEFT + i * slot);
        int bar = (int) (slot * 0.36);
        drawBar(g, x + (int) (slot * 0.12), bar, 100 * reset.meanDomainError(), top, RESET);
        continual.ifPresent(c -> drawBar(g, x + (int) (slot * 0.12) + bar, bar,
            100 * c.meanDomainError(), top, CONTINUAL));
        g.setColor(INK);
        g.setFont(LABEL);
        FontMetrics m = g.getFontMetrics();
        g.drawString(reset.method(), x + (int) ((slot - m.stringWidth(reset.method())) / 2),
            HEIGHT - BOTTOM + 20);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Renders and writes a PNG, replacing {@code file} only once it is complete. */
  public static void write(Results results, Path file) throws IOException {
    BufferedImage image = render(results);
    Png.write(image, file);
  }

  /** The error (%) at the top of the axis: the largest bar, rounded up to 10. */
  private static double axisTop(Results results) {
    double max = 0;
    for (Results.Section s : List.of(results.perCorruption(), results.continual())) {
      for (RunReport r : s.runs()) {
        max = Math.max(max, 100 * r.meanDomainError());
      }
    }
    return Math.max(10, Math.ceil(max / 10) * 10);
  }

  private static void drawFrame(Graphics2D g, Results results, double top) {
    g.setColor(INK);
    g.setFont(TITLE);
    g.drawString(String.format(Locale.ROOT, "Mean error over %d corruptions (severity %d), "
        + "batch %d, %,d images per corruption", results.plan().corruptions().size(),
        results.plan().severity(), results.perCorruption().batch(),
        results.perCorruption().samplesPerDomain()), LEFT, 28);
    g.setFont(LABEL);
    legend(g, LEFT, 50, RESET, "reset per corruption");
    legend(g, LEFT + 200, 50, CONTINUAL, "continual (no reset)");
    for (int tick = 0; tick <= top; tick += 10) {
      int y = y(tick, top);
      g.setColor(GRID);
      g.setStroke(new BasicStroke(1));
      g.drawLine(LEFT, y, WIDTH - RIGHT, y);
      g.setColor(INK);
      String label = tick + "%";
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 5);
    }
    g.drawLine(LEFT, y(0, top), WIDTH - RIGHT, y(0, top));
  }

  private static void legend(Graphics2D g, int x, int y, Color color, String text) {
    g.setColor(color);
    g.fillRect(x, y - 11, 14, 14);
    g.setColor(INK);
    g.drawString(text, x + 20, y + 1);
  }

  private static void drawBar(Graphics2D g, int x, int width, double value, double top,
      Color color) {
    int y = y(value, top);
    g.setColor(color);
    g.fillRect(x, y, width - 2, y(0, top) - y);
    g.setColor(INK);
    String label = String.format(Locale.ROOT, "%.1f", value);
    FontMetrics m = g.getFontMetrics(LABEL);
    g.setFont(LABEL);
    g.drawString(label, x + (width - 2 - m.stringWidth(label)) / 2, y - 4);
  }

  private static int y(double value, double top) {
    return (int) Math.round(HEIGHT - BOTTOM - value / top * (HEIGHT - BOTTOM - TOP));
  }
}
