package io.attune.simulators.demo;

import io.attune.schemas.DriftAlert;
import io.attune.simulators.fleet.FleetListener;
import io.attune.simulators.fleet.TimelinePoint;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * The fleet's progress in a terminal, one line per cohort: samples predicted, the newest params
 * version its devices hold, frozen and adapted accuracy so far and over the recent window, the
 * share of samples uploaded and any refused update. Drift alerts from the worker are printed as
 * they arrive, one line each above the block, and stay in the terminal's history.
 *
 * <p>On an interactive terminal the block is redrawn in place (ANSI cursor movement) a few times
 * a second; otherwise, for a log file or a pipe, the block is printed again every
 * {@code plainEvery}, with the elapsed time, so that the output stays readable line by line.
 * Called on the simulator's thread only, except {@link #alert}, which any thread may call.
 */
public final class LiveView implements FleetListener {

  /** How the block is refreshed. */
  public enum Mode {
    /** Redrawn in place with ANSI escapes: for a terminal. */
    INTERACTIVE,
    /** Printed again, below the last one, every so often: for a pipe or a file. */
    PLAIN
  }

  private static final Duration REDRAW = Duration.ofMillis(250);
  private static final String CLEAR_LINE = "\r\033[2K";

  private final PrintWriter out;
  private final Mode mode;
  private final int window;
  private final long everyNanos;
  private final LongSupplier nanoTime;
  private final long started;
  private long lastShown = Long.MIN_VALUE;
  private int drawnLines;
  private List<TimelinePoint> latest = List.of();
  private final Queue<DriftAlert> pendingAlerts = new ConcurrentLinkedQueue<>();

  /**
   * @param window the samples the recent accuracies cover, for the heading
   * @param plainEvery how often {@link Mode#PLAIN} prints the block
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   */
  public LiveView(PrintWriter out, Mode mode, int window, Duration plainEvery,
      LongSupplier nanoTime) {
    this.out = out;
    this.mode = mode;
    this.window = window;
    this.everyNanos = (mode == Mode.INTERACTIVE ? REDRAW : plainEvery).toNanos();
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
  }

  /** An alert arrived; it is printed at the next tick. Thread-safe. */
  public void alert(DriftAlert alert) {
    pendingAlerts.add(alert);
  }

  @Override
  public void onTick(List<TimelinePoint> points) {
    latest = List.copyOf(points);
    long now = nanoTime.getAsLong();
    if (lastShown == Long.MIN_VALUE || now - lastShown >= everyNanos) {
      show(now);
    } else if (!pendingAlerts.isEmpty()) {
      if (mode == Mode.INTERACTIVE) {
        show(now);
      } else {
        printAlerts(Duration.ofNanos(now - started));
        out.flush();
      }
    }
  }

  /** Shows the last points received, whenever they were last shown; call once at the end. */
  public void finish() {
    if (!latest.isEmpty()) {
      show(nanoTime.getAsLong());
    }
  }

  private void show(long now) {
    lastShown = now;
    List<String> lines = block(latest, window, Duration.ofNanos(now - started));
    if (mode == Mode.INTERACTIVE) {
      if (drawnLines > 0) {
        out.print("\033[" + drawnLines + "F");
      }
      // alert lines go where the block was, and the block is redrawn below them
      printAlerts(Duration.ofNanos(now - started));
      for (String line : lines) {
        out.print(CLEAR_LINE + line + "\n");
      }
      drawnLines = lines.size();
    } else {
      printAlerts(Duration.ofNanos(now - started));
      lines.forEach(out::println);
    }
    out.flush();
  }

  private void printAlerts(Duration elapsed) {
    for (DriftAlert a = pendingAlerts.poll(); a != null; a = pendingAlerts.poll()) {
      out.print((mode == Mode.INTERACTIVE ? CLEAR_LINE : "") + alertLine(a, elapsed) + "\n");
    }
  }

  /**
   * One alert: when it arrived, cohort, RAISED or RESOLVED, the signal, the params version of
   * the batch that raised it, and the worker's summary (which ends with the estimates).
   */
  static String alertLine(DriftAlert a, Duration elapsed) {
    return String.format(Locale.ROOT, "alert at %d s: %s %s %s (since v%d): %s",
        elapsed.toSeconds(), a.getCohort(), a.getState(), a.getSignal(), a.getFirstBatch(),
        a.getSummary());
  }

  /** The block: two heading lines with the elapsed time, then a line per cohort. */
  static List<String> block(List<TimelinePoint> points, int window, Duration elapsed) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-38s %-27s %s", "elapsed " + elapsed.toSeconds()
        + " s", "accuracy so far", "last " + window + " samples"));
    lines.add(String.format(Locale.ROOT, "%-20s %8s %7s   %7s %8s %9s   %7s %8s   %8s %7s",
        "cohort", "samples", "params", "frozen", "adapted", "gain", "frozen", "adapted",
        "uploaded", "refused"));
    for (TimelinePoint p : points) {
      lines.add(line(p));
    }
    return lines;
  }

  /** One cohort: accuracies so far, then over the recent window (frozen, adapted). */
  static String line(TimelinePoint p) {
    return String.format(Locale.ROOT, "%-20s %8d %7s   %7s %8s %9s   %7s %8s   %8s %7d",
        p.cohort(), p.samplesSeen(), "v" + p.maxVersion(), percent(p.sourceSoFar()),
        percent(p.adaptedSoFar()), points(p.adaptedSoFar() - p.sourceSoFar()),
        percent(p.sourceAccuracy()), percent(p.adaptedAccuracy()),
        percent(p.uploads().uploadShare()), p.rejectedUpdates());
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static String points(double gain) {
    return Double.isNaN(gain) ? "-" : String.format(Locale.ROOT, "%+.1f pp", 100 * gain);
  }
}
