package io.attune.simulators.fleet;

/** Share correct among the last {@code capacity} scored predictions, and over all of them. */
final class AccuracyWindow {

  private final boolean[] ring;
  private int next;
  private int filled;
  private int correctInWindow;
  private long total;
  private long correctTotal;

  AccuracyWindow(int capacity) {
    this.ring = new boolean[capacity];
  }

  void add(boolean correct) {
    if (filled == ring.length) {
      correctInWindow -= ring[next] ? 1 : 0;
    } else {
      filled++;
    }
    ring[next] = correct;
    correctInWindow += correct ? 1 : 0;
    next = (next + 1) % ring.length;
    total++;
    correctTotal += correct ? 1 : 0;
  }

  /** Accuracy over the window, NaN before the first prediction. */
  double window() {
    return filled == 0 ? Double.NaN : correctInWindow / (double) filled;
  }

  /** Accuracy over every prediction, NaN before the first. */
  double overall() {
    return total == 0 ? Double.NaN : correctTotal / (double) total;
  }

  long scored() {
    return total;
  }
}
