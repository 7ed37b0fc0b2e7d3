package io.attune.simulators.traffic;

/**
 * Time as the traffic producer sees it: a monotonic clock to pace by, a wall clock to stamp
 * records with, and a way to wait. Tests pass a fake that advances when asked to sleep.
 */
public interface Ticker {

  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
  long currentTimeMillis();

  /** Waits {@code nanos} nanoseconds (more is fine, less is not). */
  void sleep(long nanos) throws InterruptedException;

  /** The JVM's clocks and {@link Thread#sleep}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
