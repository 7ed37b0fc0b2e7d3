package io.attune.edge;

import java.util.Map;

/**
 * Counters of one {@link EdgeModel}, read at one moment.
 *
 * @param heldVersion version of the parameters predictions now use (0: source)
 * @param applied updates applied
 * @param rejected refused updates by reason (every reason present, zero when none)
 * @param predictions samples predicted
 */
public record EdgeStats(long heldVersion, long applied, Map<RejectReason, Long> rejected,
    long predictions) {

  public EdgeStats {
    rejected = Map.copyOf(rejected);
  }

  /** Refused updates, whatever the reason. */
  public long rejectedTotal() {
    return rejected.values().stream().mapToLong(Long::longValue).sum();
  }
}
