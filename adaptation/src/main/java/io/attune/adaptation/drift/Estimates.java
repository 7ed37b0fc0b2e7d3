package io.attune.adaptation.drift;

/**
 * Label-free accuracy estimates over a window of recent batches (ATC, see
 * {@link DriftReference}).
 *
 * @param adapted estimated accuracy of the adapted model, in [0, 1]; NaN before any batch
 * @param source estimated accuracy of the source model, in [0, 1]; NaN before any batch
 */
public record Estimates(double adapted, double source) {

  /** Before any batch. */
  public static final Estimates NONE = new Estimates(Double.NaN, Double.NaN);
}
