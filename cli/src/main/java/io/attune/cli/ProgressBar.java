package io.attune.cli;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on standard error. On a terminal it redraws in place; when the output
 * is a file or a pipe it prints a line at every tenth, so logs stay readable.
 */
final class ProgressBar implements LongConsumer, AutoCloseable {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final String label;
  private final long total;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private int lastTenth = -1;

  ProgressBar(PrintWriter err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = Math.max(total, 1);
    this.interactive = System.console() != null;
  }

  @Override
  public void accept(long done) {
    double fraction = Math.min(1.0, (double) done / total);
    if (interactive) {
      int filled = (int) Math.round(fraction * WIDTH);
      err.printf("\r%s [%s%s] %3.0f%% %d/%d %.1fs", label, "#".repeat(filled),
          " ".repeat(WIDTH - filled), 100 * fraction, done, total, elapsedSeconds());
      err.flush();
    } else {
      int tenth = (int) Math.floor(fraction * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        err.printf("%s %3d%% %d/%d %.1fs%n", label, tenth * 10, done, total, elapsedSeconds());
      }
    }
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Override
  public void close() {
    if (interactive) {
      err.println();
    }
  }
}
