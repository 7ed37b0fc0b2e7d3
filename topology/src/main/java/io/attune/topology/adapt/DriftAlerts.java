package io.attune.topology.adapt;

import io.attune.adaptation.drift.ChangeDetector;
import io.attune.adaptation.drift.DriftEvent;
import io.attune.adaptation.drift.Signal;
import io.attune.schemas.AlertState;
import io.attune.schemas.DriftAlert;
import java.time.Instant;

/** {@link DriftEvent}s of the drift monitor as {@link DriftAlert} records. */
public final class DriftAlerts {

  /** The guard's signal: raised while the source parameters are published instead. */
  public static final String ACCURACY_GUARD = "accuracy-guard";

  private DriftAlerts() {}

  /** The data-drift signal: raised once per drift episode, whatever signals moved. */
  public static final String DATA_DRIFT = "data-drift";

  /**
   * The name of a signal: {@code data-drift} and {@code accuracy-guard} are the alerts on the
   * topic, as the DriftAlert schema lists them; {@code bn-divergence}, {@code entropy} and
   * {@code class-prior} name the detectors behind a data-drift alert (metrics, HTTP).
   */
  public static String signalName(Signal signal) {
    return switch (signal) {
      case STATISTICS_DIVERGENCE -> "bn-divergence";
      case ENTROPY -> "entropy";
      case CLASS_DIVERGENCE -> "class-prior";
      case ADAPTATION_HEALTH -> ACCURACY_GUARD;
      case DATA_DRIFT -> DriftAlerts.DATA_DRIFT;
    };
  }

  /**
   * The record of one event.
   *
   * @param version the params version the step that caused it published; the record's
   *     {@code firstBatch} is the version published by the batch that raised the alert, this
   *     one minus the batches since
   * @param streamTime the step's stream time, epoch millis
   */
  public static DriftAlert of(String model, String cohort, DriftEvent event, long version,
      long streamTime) {
    return DriftAlert.newBuilder()
        .setModel(model)
        .setCohort(cohort)
        .setSignal(signalName(event.signal()))
        .setState(event.transition() == ChangeDetector.Transition.RAISED ? AlertState.RAISED
            : AlertState.RESOLVED)
        .setScore(event.score())
        .setThreshold(event.threshold())
        .setFirstBatch(version - (event.batch() - event.firstBatch()))
        .setTime(Instant.ofEpochMilli(streamTime))
        .setSummary(event.summary())
        .setSourceAccuracyEstimate(orNull(event.estimates().source()))
        .setAdaptedAccuracyEstimate(orNull(event.estimates().adapted()))
        .build();
  }

  private static Float orNull(double estimate) {
    return Double.isNaN(estimate) ? null : (float) estimate;
  }
}
