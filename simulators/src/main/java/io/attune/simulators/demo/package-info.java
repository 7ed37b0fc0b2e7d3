/**
 * What {@code attune demo} shows: the fleet's live progress in a terminal
 * ({@link io.attune.simulators.demo.LiveView}), and its report, a Markdown summary per cohort
 * ({@link io.attune.simulators.demo.DemoReport}) with a chart of accuracy over time, frozen source
 * against adapted ({@link io.attune.simulators.demo.AccuracyChart}). The cohorts and their shifts
 * come from {@link io.attune.simulators.demo.DemoCohorts}. Starting the broker and the worker is
 * the command's wiring; nothing here knows Kafka.
 */
package io.attune.simulators.demo;
