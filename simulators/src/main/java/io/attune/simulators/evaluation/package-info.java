/**
 * Adaptation measured on shifted streams: {@link io.attune.simulators.evaluation.ShiftBatches}
 * feeds a schedule to {@link io.attune.adaptation.eval.StreamEvaluation} without files in
 * between; {@link io.attune.simulators.evaluation.ResultsRun} runs the whole benchmark of
 * {@code attune results} (per corruption, continual, batch size 1, clean) from a
 * {@link io.attune.simulators.evaluation.ResultsPlan}, and
 * {@link io.attune.simulators.evaluation.ResultsPage},
 * {@link io.attune.simulators.evaluation.ResultsChecks} and
 * {@link io.attune.simulators.evaluation.ResultsChart} turn its {@code Results} into
 * {@code docs/results.md}, its checks and its chart.
 */
package io.attune.simulators.evaluation;
