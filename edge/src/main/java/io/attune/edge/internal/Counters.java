package io.attune.edge.internal;

import io.attune.edge.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Applied, rejected-by-reason and predicted counts, safe to bump from any thread. */
public final class Counters {

  private final LongAdder applied = new LongAdder();
  private final LongAdder predictions = new LongAdder();
  private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);

  public Counters() {
    for (RejectReason r : RejectReason.values()) {
      rejected.put(r, new LongAdder());
    }
  }

  public void applied() {
    applied.increment();
  }

  public void rejected(RejectReason reason) {
    rejected.get(reason).increment();
  }

  public void predicted(int samples) {
    predictions.add(samples);
  }

  public long appliedCount() {
    return applied.sum();
  }

  public long predictionCount() {
    return predictions.sum();
  }

  public Map<RejectReason, Long> rejectedCounts() {
    Map<RejectReason, Long> out = new EnumMap<>(RejectReason.class);
    rejected.forEach((reason, count) -> out.put(reason, count.sum()));
    return out;
  }
}
