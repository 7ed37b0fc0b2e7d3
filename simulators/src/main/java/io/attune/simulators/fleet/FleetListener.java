package io.attune.simulators.fleet;

import java.util.List;

/** Told after every tick, on the simulator's thread; for live display. */
@FunctionalInterface
public interface FleetListener {

  /** One point per cohort, in configuration order. */
  void onTick(List<TimelinePoint> points);
}
