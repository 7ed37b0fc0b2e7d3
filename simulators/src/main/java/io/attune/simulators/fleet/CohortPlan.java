package io.attune.simulators.fleet;

import io.attune.schemas.CohortKey;
import io.attune.simulators.schedule.Schedule;
import java.util.Objects;

/**
 * One simulated cohort: its name and the shift its devices see.
 *
 * @param name the cohort, as in the {@code model/cohort} key (no '/')
 * @param schedule what each of its devices replays, each in its own seeded random order
 */
public record CohortPlan(String name, Schedule schedule) {

  /** @throws IllegalArgumentException if the name is empty or contains '/' */
  public CohortPlan {
    new CohortKey("model", name);
    Objects.requireNonNull(schedule, "schedule");
  }
}
