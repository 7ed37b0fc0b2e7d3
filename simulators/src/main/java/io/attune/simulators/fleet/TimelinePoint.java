package io.attune.simulators.fleet;

import io.attune.edge.UploadFilter;

/**
 * One cohort after one tick: what a live demo prints and a chart plots.
 *
 * @param tick 1, 2, 3, ...
 * @param cohort the cohort
 * @param schedule its schedule, compact syntax
 * @param samplesSeen samples its devices have predicted so far
 * @param sourceAccuracy accuracy of the frozen twin (source parameters) over the last
 *     {@code accuracyWindow} scored samples, NaN before the first
 * @param adaptedAccuracy accuracy of the devices, each with the parameters it held when it
 *     predicted, over the same samples
 * @param sourceSoFar the frozen twin's accuracy over every scored sample so far, NaN before the
 *     first
 * @param adaptedSoFar the devices' accuracy over the same samples
 * @param minVersion oldest params version held by a device of the cohort
 * @param maxVersion newest params version held by a device of the cohort
 * @param uploads the cohort's upload verdicts so far, summed over its devices
 * @param rejectedUpdates updates the cohort's devices refused so far (bad signature, stale,
 *     another cohort's, ...), summed over its devices
 */
public record TimelinePoint(int tick, String cohort, String schedule, long samplesSeen,
    double sourceAccuracy, double adaptedAccuracy, double sourceSoFar, double adaptedSoFar,
    long minVersion, long maxVersion, UploadFilter.Counts uploads, long rejectedUpdates) {}
