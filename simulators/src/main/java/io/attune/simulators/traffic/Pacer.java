package io.attune.simulators.traffic;

import java.util.Objects;

/**
 * Spaces events at a fixed rate: event {@code k} is due {@code k / rate} seconds after the first.
 * Being due on an absolute schedule, rather than sleeping a fixed interval after each event, keeps
 * the long-run rate exact however long each event takes. An event that comes late is not waited
 * for; if the caller falls more than {@link #MAX_LAG_NANOS} behind (a stalled broker, a GC pause),
 * the schedule restarts from now instead of bursting to catch up. Not thread-safe.
 */
public final class Pacer {

  /** How far behind schedule the caller may fall before the schedule restarts: one second. */
  public static final long MAX_LAG_NANOS = 1_000_000_000L;

  private final double nanosPerEvent;
  private final Ticker ticker;
  private long origin;
  private long count = -1;

  /**
   * @param perSecond events per second; 0 means no pacing at all
   * @throws IllegalArgumentException if the rate is negative or not finite
   */
  public Pacer(double perSecond, Ticker ticker) {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("rate must be 0 (unpaced) or a positive number of "
          + "samples per second, got " + perSecond);
    }
    this.nanosPerEvent = perSecond == 0 ? 0 : 1e9 / perSecond;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** Returns when the next event is due, sleeping until then if it is early. */
  public void await() throws InterruptedException {
    if (nanosPerEvent == 0) {
      return;
    }
    final long now = ticker.nanoTime();
    if (count < 0) {
      origin = now;
      count = 0;
    }
    final long due = origin + Math.round(count * nanosPerEvent);
    if (now < due) {
      ticker.sleep(due - now);
    } else if (now - due > MAX_LAG_NANOS) {
      origin = now;
      count = 0;
    }
    count++;
  }
}
