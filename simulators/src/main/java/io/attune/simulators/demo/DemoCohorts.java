package io.attune.simulators.demo;

import io.attune.simulators.fleet.CohortPlan;
import io.attune.simulators.schedule.Schedule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The demo's cohorts: one shift each, named after it so that the report reads by itself. */
public final class DemoCohorts {

  /**
   * Cohort {@code i} replays the {@code i}-th of these unless told otherwise: severity-5 shifts
   * of different kinds (noise, weather, blur, digital) that cost the reference model 40 to 60
   * points of accuracy.
   */
  public static final List<String> DEFAULT_SHIFTS = List.of("gaussian_noise:5", "fog:5",
      "defocus_blur:5", "contrast:5", "pixelate:5", "brightness:5");

  /** Names longer than this are cut; a cohort name goes into every record key. */
  private static final int MAX_NAME = 40;

  private DemoCohorts() {}

  /** The first {@code count} default shifts, one cohort each. */
  public static List<CohortPlan> defaults(int count) {
    if (count < 1 || count > DEFAULT_SHIFTS.size()) {
      throw new IllegalArgumentException("the demo has 1 to " + DEFAULT_SHIFTS.size()
          + " default cohorts, asked for " + count);
    }
    return of(DEFAULT_SHIFTS.subList(0, count).stream().map(Schedule::parse).toList());
  }

  /**
   * A cohort per schedule, named after its compact spec ({@code gaussian_noise:5} becomes
   * {@code gaussian_noise-5}); a name already taken gets {@code -2}, {@code -3}, ...
   */
  public static List<CohortPlan> of(List<Schedule> schedules) {
    List<CohortPlan> plans = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Schedule schedule : schedules) {
      String base = nameOf(schedule.spec());
      String name = base;
      for (int n = 2; !taken.add(name); n++) {
        name = base + "-" + n;
      }
      plans.add(new CohortPlan(name, schedule));
    }
    return plans;
  }

  /** Keeps letters, digits, '.', '_' and '-'; any run of other characters becomes one '-'. */
  static String nameOf(String spec) {
    String name = spec.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    if (name.length() > MAX_NAME) {
      name = name.substring(0, MAX_NAME).replaceAll("-+$", "");
    }
    return name.isEmpty() ? "cohort" : name;
  }
}
