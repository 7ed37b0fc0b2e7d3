/**
 * Drift signals, change detection, label-free accuracy estimates and the publishing guard of one
 * cohort, pure code like the methods (no Kafka, no Avro, no labels):
 * <ol>
 *   <li>{@link io.attune.adaptation.drift.DriftReference}: what the signals are measured against,
 *       once per model: the source statistics, the source's class prior and the ATC threshold,
 *       calibrated on the bundle's source images;
 *   <li>{@link io.attune.adaptation.drift.DriftSignals#measure}: one batch's signals from the
 *       method's outputs and the source model's on the same batch (statistics divergence,
 *       entropy, class divergence, adaptation health, ATC counts);
 *   <li>{@link io.attune.adaptation.drift.DriftMonitor#update}: a state machine per cohort,
 *       {@code (state, signals) -> (state', events, estimates, publish adapted?)}, with a
 *       {@link io.attune.adaptation.drift.ChangeDetector} (CUSUM with warm-up and hysteresis)
 *       per data-drift signal and the {@link io.attune.adaptation.drift.PublishingGuard}; its
 *       state has a byte form ({@link io.attune.adaptation.drift.MonitorStateCodec}) for a state
 *       store.
 * </ol>
 * {@link io.attune.adaptation.eval.DriftEvaluation} scores all of it against the labels of a
 * simulated stream.
 */
package io.attune.adaptation.drift;
