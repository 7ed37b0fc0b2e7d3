package io.attune.simulators.traffic;

import java.util.ArrayList;
import java.util.List;

/** Virtual time: sleeping advances it at once and is recorded. */
final class FakeTicker implements Ticker {

  static final long EPOCH_MILLIS = 1_795_000_000_000L;

  private long nanos = 123_456_789L;
  private final long startNanos = nanos;
  final List<Long> sleeps = new ArrayList<>();

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public long currentTimeMillis() {
    return EPOCH_MILLIS + (nanos - startNanos) / 1_000_000;
  }

  @Override
  public void sleep(long duration) {
    sleeps.add(duration);
    nanos += duration;
  }

  void advance(long duration) {
    nanos += duration;
  }

  double elapsedSeconds() {
    return (nanos - startNanos) / 1e9;
  }
}
