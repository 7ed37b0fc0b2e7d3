package io.attune.topology.processor;

import io.attune.adaptation.method.Outputs;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;

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
}
