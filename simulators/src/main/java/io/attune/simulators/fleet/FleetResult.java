package io.attune.simulators.fleet;

import java.util.List;
import java.util.Map;

/**
 * A finished run.
 *
 * @param timeline every cohort's point after every tick, in order
 * @param cohorts the summary of each cohort, by name, in configuration order
 */
public record FleetResult(List<TimelinePoint> timeline, Map<String, CohortSummary> cohorts) {

  public FleetResult {
    timeline = List.copyOf(timeline);
    cohorts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(cohorts));
  }
}
