package io.attune.topology.processor;

import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.method.Outputs;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;
import java.util.List;

/** What the processors report as they go: metrics and the HTTP API listen here. */
public interface StepObserver {

  StepObserver NONE = new StepObserver() {};

  /** A valid sample entered a cohort's buffer. */
  default void sampleBuffered(String cohortKey) {}

  /** A record went to the dead-letter topic. */
  default void rejected(RejectReason reason) {}

  /** A cohort ran one adaptation step and published {@code update}. */
  default void stepped(String cohortKey, NormParamsUpdate update, Outputs.Diagnostics diagnostics,
      long stepNanos) {}

  /**
   * A monitored cohort's drift monitor after a step, with the alerts that step raised or
   * resolved (usually none).
   */
  default void monitored(String cohortKey, DriftMonitor.State drift, List<DriftAlert> alerts) {}

  /**
   * How long a monitored cohort's step spent on drift monitoring (the source model's forward,
   * the signals and the monitor update), a part of the step's latency.
   */
  default void monitorTimed(String cohortKey, long monitorNanos) {}
}
