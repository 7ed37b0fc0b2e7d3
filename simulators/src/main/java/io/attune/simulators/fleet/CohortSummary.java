package io.attune.simulators.fleet;

import io.attune.edge.UploadFilter;

/**
 * A cohort over the whole run.
 *
 * @param cohort the cohort
 * @param schedule its schedule, compact syntax
 * @param samples samples its devices predicted
 * @param sourceAccuracy frozen twin's accuracy over all scored samples
 * @param adaptedAccuracy the devices' accuracy over the same samples
 * @param finalVersion newest params version a device of the cohort held at the end
 * @param uploads upload verdicts, summed over the cohort's devices
 * @param appliedUpdates parameter updates the cohort's devices applied, summed over them
 * @param rejectedUpdates updates they refused (see {@link io.attune.edge.EdgeModel#apply})
 */
public record CohortSummary(String cohort, String schedule, long samples, double sourceAccuracy,
    double adaptedAccuracy, long finalVersion, UploadFilter.Counts uploads, long appliedUpdates,
    long rejectedUpdates) {}
