package io.attune.topology;

/**
 * Every processor and store name of the adaptation topology. Named explicitly because generated
 * names shift when the topology changes, and a changed store name orphans its changelog: a
 * restarted worker would lose buffered samples and method state.
 */
public final class TopologyNames {

  public static final String TRAFFIC_SOURCE = "attune-traffic-source";
  public static final String VALIDATE = "attune-validate";
  public static final String ADAPT = "attune-adapt";
  public static final String DLQ_SINK = "attune-dlq-sink";
  public static final String PARAMS_SINK = "attune-params-sink";
  public static final String MEMORY_SINK = "attune-memory-sink";
  public static final String PREDICTIONS_SINK = "attune-predictions-sink";
  public static final String ALERTS_SINK = "attune-alerts-sink";

  /** Samples waiting for their cohort's next batch, key {@code model/cohort|seq}. */
  public static final String SAMPLE_BUFFER_STORE = "attune-sample-buffer";
  /** Per cohort: buffer bookkeeping and counters, key {@code model/cohort}. */
  public static final String COHORT_PROGRESS_STORE = "attune-cohort-progress";
  /** Per cohort: the adaptation method's state, key {@code model/cohort}. */
  public static final String METHOD_STATE_STORE = "attune-method-state";
  /**
   * Per monitored cohort: the drift monitor's state (detectors, publishing guard, estimate
   * window), {@code MonitorStateCodec} bytes, key {@code model/cohort}.
   */
  public static final String DRIFT_MONITOR_STORE = "attune-drift-monitor";

  private TopologyNames() {}
}
