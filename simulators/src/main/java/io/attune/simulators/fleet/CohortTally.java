package io.attune.simulators.fleet;

import io.attune.edge.EdgeModel;

/** A cohort's frozen twin and its running scores. */
final class CohortTally {

  private final CohortPlan plan;
  private final EdgeModel twin;
  private final AccuracyWindow source;
  private final AccuracyWindow adapted;
  private long samples;

  CohortTally(CohortPlan plan, EdgeModel twin, int window) {
    this.plan = plan;
    this.twin = twin;
    this.source = new AccuracyWindow(window);
    this.adapted = new AccuracyWindow(window);
  }

  String name() {
    return plan.name();
  }

  CohortPlan plan() {
    return plan;
  }

  /** The source model run on the cohort's samples, never updated. */
  EdgeModel twin() {
    return twin;
  }

  /** Counts a sample; open-set samples (label -1) are seen but not scored. */
  void record(int label, int adaptedClass, int sourceClass) {
    samples++;
    if (label >= 0) {
      adapted.add(adaptedClass == label);
      source.add(sourceClass == label);
    }
  }

  long samples() {
    return samples;
  }

  AccuracyWindow source() {
    return source;
  }

  AccuracyWindow adapted() {
    return adapted;
  }
}
