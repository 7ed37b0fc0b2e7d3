package io.attune.simulators.traffic;

import io.attune.schemas.CohortKey;
import io.attune.simulators.schedule.Schedule;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the traffic producer sends: each cohort plays its own schedule over the labelled images,
 * and the cohorts' samples are interleaved one by one.
 *
 * <p>Cohort {@code i} is named {@code cohort-i} and plays {@code schedules.get(i)} with seed
 * {@code seed + i}, so cohort 0 sends exactly the stream that
 * {@code attune simulate export --seed SEED} writes, and cohorts with one schedule still see
 * different samples.
 *
 * @param model the model id every sample names; part of each key
 * @param schedules one schedule per cohort
 * @param seed seed of cohort 0; cohort {@code i} uses {@code seed + i}
 * @param rate samples per second over all cohorts together; 0 sends as fast as Kafka takes them
 * @param limitPerCohort samples each cohort sends at most; empty for its whole stream
 * @param topic the topic to write to
 */
public record TrafficPlan(String model, List<Schedule> schedules, long seed, double rate,
    OptionalLong limitPerCohort, String topic) {

  /** @throws IllegalArgumentException naming the value that is out of range */
  public TrafficPlan {
    Objects.requireNonNull(model, "model");
    schedules = List.copyOf(schedules);
    Objects.requireNonNull(limitPerCohort, "limitPerCohort");
    Objects.requireNonNull(topic, "topic");
    new CohortKey(model, cohortName(0));
    if (schedules.isEmpty()) {
      throw new IllegalArgumentException("at least one cohort is needed");
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be 0 (as fast as possible) or a positive "
          + "number of samples per second, got " + rate);
    }
    if (limitPerCohort.isPresent() && limitPerCohort.getAsLong() < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got "
          + limitPerCohort.getAsLong());
    }
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic is empty");
    }
  }

  /**
   * The schedule of each of {@code cohorts} cohorts: the one given for all of them, or one given
   * per cohort.
   *
   * @throws IllegalArgumentException if neither one nor {@code cohorts} schedules are given
   */
  public static List<Schedule> perCohort(List<Schedule> given, int cohorts) {
    if (cohorts < 1) {
      throw new IllegalArgumentException("cohorts must be at least 1, got " + cohorts);
    }
    if (given.size() == 1) {
      return Collections.nCopies(cohorts, given.get(0));
    }
    if (given.size() != cohorts) {
      throw new IllegalArgumentException(given.size() + " schedules for " + cohorts
          + " cohorts; give one schedule for all cohorts or one per cohort");
    }
    return List.copyOf(given);
  }

  /** Number of cohorts. */
  public int cohorts() {
    return schedules.size();
  }

  /** The name of cohort {@code index}: {@code cohort-0}, {@code cohort-1}, ... */
  public static String cohortName(int index) {
    return "cohort-" + index;
  }

  /** The key of cohort {@code index}'s records. */
  public CohortKey key(int index) {
    return new CohortKey(model, cohortName(index));
  }
}
