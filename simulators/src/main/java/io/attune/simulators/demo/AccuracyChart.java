package io.attune.simulators.demo;

import io.attune.simulators.export.Png;
import io.attune.simulators.fleet.TimelinePoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Accuracy over time, frozen source against adapted, one panel per cohort (up to three panels a
 * row): x is the samples the cohort's devices have predicted, y the accuracy over the timeline's
 * sliding window, in percent. Drawn with {@code java.awt} on an off-screen image, like
 * {@link io.attune.simulators.export.ShiftGallery}; callers without a display run with
 * {@code -Djava.awt.headless=true}.
 */
public final class AccuracyChart {

  private static final int PANEL_WIDTH = 440;
  private static final int PANEL_HEIGHT = 320;
  private static final int PER_ROW = 3;
  private static final int MARGIN = 16;
  /** Room for the title and the legend above the panels. */
  private static final int HEADER = 64;
  /** Inside a panel: room for the y labels on the left, the x labels below, the name above. */
  private static final int PLOT_LEFT = 64;
  private static final int PLOT_RIGHT = 16;
  private static final int PLOT_TOP = 30;
  private static final int PLOT_BOTTOM = 52;
  private static final Color INK = new Color(0x22, 0x22, 0x22);
  private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
  static final Color FROZEN = new Color(0xEF, 0x8A, 0x3C);
  static final Color ADAPTED = new Color(0x3B, 0x75, 0xAF);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font NAME = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
  private static final Stroke LINE = new BasicStroke(2.2f, BasicStroke.CAP_ROUND,
      BasicStroke.JOIN_ROUND);

  private AccuracyChart() {}

  /**
   * Draws the timeline.
   *
   * @param window the samples each point's accuracies cover, for the axis label
   * @throws IllegalArgumentException if the timeline is empty
   */
  public static BufferedImage render(List<TimelinePoint> timeline, int window, String title) {
    Map<String, List<TimelinePoint>> cohorts = byCohort(timeline);
    int columns = Math.min(PER_ROW, cohorts.size());
    int rows = (cohorts.size() + PER_ROW - 1) / PER_ROW;
    int width = 2 * MARGIN + columns * PANEL_WIDTH;
    int height = MARGIN + HEADER + rows * PANEL_HEIGHT + MARGIN;
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = Png.canvas(out, Color.WHITE);
    try {
      drawHeader(g, title);
      int i = 0;
      for (List<TimelinePoint> points : cohorts.values()) {
        drawPanel(g, points, window, MARGIN + (i % PER_ROW) * PANEL_WIDTH,
            MARGIN + HEADER + (i / PER_ROW) * PANEL_HEIGHT);
        i++;
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Renders and writes a PNG, replacing {@code file} only once it is complete. */
  public static void write(List<TimelinePoint> timeline, int window, String title, Path file)
      throws IOException {
    BufferedImage image = render(timeline, window, title);
    Png.write(image, file);
  }

  private static Map<String, List<TimelinePoint>> byCohort(List<TimelinePoint> timeline) {
    Map<String, List<TimelinePoint>> out = new LinkedHashMap<>();
    for (TimelinePoint p : timeline) {
      out.computeIfAbsent(p.cohort(), c -> new ArrayList<>()).add(p);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no timeline to chart: the fleet ran no tick");
    }
    return out;
  }

  private static void drawHeader(Graphics2D g, String title) {
    g.setColor(INK);
    g.setFont(TITLE);
    g.drawString(title, MARGIN, MARGIN + TITLE.getSize());
    g.setFont(LABEL);
    int y = MARGIN + TITLE.getSize() + 26;
    int x = legendItem(g, MARGIN + 4, y, FROZEN, "frozen source model (no adaptation)");
    legendItem(g, x + 28, y, ADAPTED, "adapted: devices with the newest parameters from Attune");
  }

  private static int legendItem(Graphics2D g, int x, int y, Color color, String text) {
    g.setColor(color);
    g.setStroke(LINE);
    g.drawLine(x, y - 5, x + 28, y - 5);
    g.setColor(INK);
    g.drawString(text, x + 36, y);
    return x + 36 + g.getFontMetrics().stringWidth(text);
  }

  private static void drawPanel(Graphics2D g, List<TimelinePoint> points, int window, int left,
      int top) {
    Plot plot = new Plot(left + PLOT_LEFT, top + PLOT_TOP,
        PANEL_WIDTH - PLOT_LEFT - PLOT_RIGHT, PANEL_HEIGHT - PLOT_TOP - PLOT_BOTTOM,
        Math.max(1, points.get(points.size() - 1).samplesSeen()));
    TimelinePoint last = points.get(points.size() - 1);
    g.setColor(INK);
    g.setFont(NAME);
    String name = DemoCohorts.nameOf(last.schedule()).equals(last.cohort()) ? last.schedule()
        : last.cohort() + "  (" + last.schedule() + ")";
    g.drawString(name, plot.x(), top + 18);
    drawAxes(g, plot, window);
    drawLine(g, plot, points, TimelinePoint::sourceAccuracy, FROZEN);
    drawLine(g, plot, points, TimelinePoint::adaptedAccuracy, ADAPTED);
  }

  /** The plotting area of a panel and its scales: y is 0 to 100 %. */
  private record Plot(int x, int y, int width, int height, long maxSamples) {

    double px(long samples) {
      return x + width * (samples / (double) maxSamples);
    }

    double py(double accuracy) {
      return y + height * (1 - accuracy);
    }
  }

  private static void drawAxes(Graphics2D g, Plot plot, int window) {
    g.setFont(LABEL);
    FontMetrics m = g.getFontMetrics();
    g.setStroke(new BasicStroke(1f));
    for (int percent = 0; percent <= 100; percent += 20) {
      int y = (int) Math.round(plot.py(percent / 100.0));
      g.setColor(GRID);
      g.drawLine(plot.x(), y, plot.x() + plot.width(), y);
      g.setColor(INK);
      String text = percent + "%";
      g.drawString(text, plot.x() - 6 - m.stringWidth(text), y + m.getAscent() / 2 - 1);
    }
    long step = niceStep(plot.maxSamples());
    for (long s = 0; s <= plot.maxSamples(); s += step) {
      int x = (int) Math.round(plot.px(s));
      g.setColor(INK);
      g.drawLine(x, plot.y() + plot.height(), x, plot.y() + plot.height() + 4);
      String text = String.format(Locale.ROOT, "%,d", s);
      g.drawString(text, x - m.stringWidth(text) / 2, plot.y() + plot.height() + 6
          + m.getAscent());
    }
    g.drawRect(plot.x(), plot.y(), plot.width(), plot.height());
    String xLabel = "samples predicted by the cohort's devices";
    g.drawString(xLabel, plot.x() + (plot.width() - m.stringWidth(xLabel)) / 2,
        plot.y() + plot.height() + 10 + 2 * m.getAscent());
    String yLabel = "accuracy, last " + window + " samples";
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(plot.y() + (plot.height() + m.stringWidth(yLabel)) / 2),
        plot.x() - 46);
    g.setTransform(saved);
  }

  private static void drawLine(Graphics2D g, Plot plot, List<TimelinePoint> points,
      ToDoubleFunction<TimelinePoint> accuracy, Color color) {
    Path2D.Double path = new Path2D.Double();
    boolean started = false;
    for (TimelinePoint p : points) {
      double a = accuracy.applyAsDouble(p);
      if (Double.isNaN(a)) {
        continue;
      }
      if (started) {
        path.lineTo(plot.px(p.samplesSeen()), plot.py(a));
      } else {
        path.moveTo(plot.px(p.samplesSeen()), plot.py(a));
        started = true;
      }
    }
    g.setColor(color);
    g.setStroke(LINE);
    g.draw(path);
  }

  /**
   * The smallest round step (1, 2 or 5 times a power of ten) that cuts {@code max} into at most
   * 6 parts.
   */
  static long niceStep(long max) {
    double raw = Math.max(1, max) / 6.0;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double unit = raw / power;
    double nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10;
    return Math.max(1, Math.round(nice * power));
  }
}
