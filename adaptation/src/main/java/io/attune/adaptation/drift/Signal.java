package io.attune.adaptation.drift;

import java.util.List;

/** What an alert is about. */
public enum Signal {
  /** {@link DriftSignals#statisticsDivergence()}, watched on a log scale. */
  STATISTICS_DIVERGENCE("statistics divergence", "nats", true),
  /** {@link DriftSignals#entropy()}, the source model's mean prediction entropy. */
  ENTROPY("prediction entropy", "nats", false),
  /** {@link DriftSignals#classDivergence()}, watched on a log scale. */
  CLASS_DIVERGENCE("class divergence", "nats", true),
  /** The {@link PublishingGuard}: raised while the source is published instead. */
  ADAPTATION_HEALTH("adaptation health", "", false),
  /**
   * The cohort's data drifted: the alert a person sees, one per episode. Raised when the
   * first {@link #DETECTED} signal's detector raises, resolved when the last one resolves; a
   * shift usually moves all three, and three alerts for one event would be noise.
   */
  DATA_DRIFT("data drift", "", false);

  /** The signals a {@link ChangeDetector} watches: the data-drift signals. */
  public static final List<Signal> DETECTED = List.of(STATISTICS_DIVERGENCE, ENTROPY,
      CLASS_DIVERGENCE);

  /** Divergences below this count as this (nats), so that their logarithm stays finite. */
  static final double LOG_FLOOR = 1e-6;

  private final String label;
  private final String unit;
  private final boolean logScale;

  Signal(String label, String unit, boolean logScale) {
    this.label = label;
    this.unit = unit;
    this.logScale = logScale;
  }

  /** How a person reads it, e.g. {@code statistics divergence}. */
  public String label() {
    return label;
  }

  public String unit() {
    return unit;
  }

  /**
   * Whether the detector sees the logarithm: divergences are positive and their batch-to-batch
   * noise is multiplicative (a few thousandths of a nat on clean data, tenths under shift), so
   * on a log scale the noise is about the same size at every level and a Gaussian baseline fits.
   */
  public boolean logScale() {
    return logScale;
  }

  /** The raw signal of a batch. */
  public double raw(DriftSignals s) {
    return switch (this) {
      case STATISTICS_DIVERGENCE -> s.statisticsDivergence();
      case ENTROPY -> s.entropy();
      case CLASS_DIVERGENCE -> s.classDivergence();
      case ADAPTATION_HEALTH -> s.confidentAgreement();
      case DATA_DRIFT -> Double.NaN;
    };
  }

  /** What the detector sees: {@link #raw} on the detector's scale. */
  double detectorValue(DriftSignals s) {
    double v = raw(s);
    return logScale && !Double.isNaN(v) ? Math.log(Math.max(v, LOG_FLOOR)) : v;
  }

  /** A detector-scale value back in the signal's units. */
  double fromDetectorScale(double v) {
    return logScale ? Math.exp(v) : v;
  }
}
