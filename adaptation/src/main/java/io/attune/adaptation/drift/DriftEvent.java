package io.attune.adaptation.drift;

/**
 * An alert's change of lifecycle, what a worker turns into a {@code DriftAlert} record (adding
 * model, cohort and time).
 *
 * @param signal what it is about
 * @param transition RAISED or RESOLVED
 * @param batch the cohort's batch (0-based) that caused it
 * @param firstBatch the batch that raised the alert (equal to {@code batch} when raised)
 * @param value the signal in this batch (for {@link Signal#ADAPTATION_HEALTH}: the pooled
 *     agreement with the source's confident predictions)
 * @param baseline the signal's warm-up baseline (NaN for adaptation health)
 * @param score the evidence that crossed the threshold: the CUSUM sum, or the pooled agreement
 * @param threshold what it crossed
 * @param estimates the accuracy estimates at that batch
 * @param summary one human-readable sentence
 */
public record DriftEvent(Signal signal, ChangeDetector.Transition transition, long batch,
    long firstBatch, double value, double baseline, double score, double threshold,
    Estimates estimates, String summary) {}
