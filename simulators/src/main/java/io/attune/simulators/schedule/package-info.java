/**
 * Schedules of distribution shift and the streams they produce.
 *
 * <p>A {@link io.attune.simulators.schedule.Schedule} (compact string or JSON) says which
 * domains follow each other (single, continual, gradual, mixed), in which class order (source,
 * sorted, Dirichlet) and with how much open-set noise. A
 * {@link io.attune.simulators.schedule.ShiftStream} plays it over
 * {@link io.attune.simulators.schedule.LabeledImages} for a seed, batch by batch, each sample a
 * function of its position only.
 */
package io.attune.simulators.schedule;
