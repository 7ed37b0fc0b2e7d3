package io.attune.simulators.traffic;

import java.util.Map;

/**
 * What the traffic producer sent, every record acknowledged by Kafka.
 *
 * @param topic where
 * @param samples how many records in all
 * @param perCohort how many per cohort name, in cohort order
 * @param seconds from the first send to the last acknowledgement
 */
public record TrafficReport(String topic, long samples, Map<String, Long> perCohort,
    double seconds) {

  /** Copies the map, keeping its order. */
  public TrafficReport {
    perCohort = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perCohort));
  }

  /** Samples per second actually achieved. */
  public double rate() {
    return samples / Math.max(seconds, 1e-9);
  }
}
