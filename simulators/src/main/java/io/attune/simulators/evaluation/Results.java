package io.attune.simulators.evaluation;

import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ResultsRun} measured: one {@link RunReport} per method and section.
 *
 * @param plan what was run
 * @param perCorruption each corruption, reset to the source at its start
 * @param continual all corruptions in a row, never reset
 * @param batchOne each corruption at batch size 1, reset at its start
 * @param clean the uncorrupted images
 * @param seconds wall time of the whole run
 */
public record Results(ResultsPlan plan, Section perCorruption, Section continual,
    Section batchOne, Section clean, double seconds) {

  /**
   * The runs of one section, all over the same batches.
   *
   * @param schedule the compact schedule streamed
   * @param batch the batch size
   * @param reset when methods started again from the source
   * @param samplesPerDomain images per domain
   * @param runs one per method, in the plan's order
   */
  public record Section(String schedule, int batch, StreamEvaluation.Reset reset,
      int samplesPerDomain, List<RunReport> runs) {

    public Section {
      runs = List.copyOf(runs);
    }

    /** The run of {@code method}, if the section ran it. */
    public Optional<RunReport> run(String method) {
      return runs.stream().filter(r -> r.method().equals(method)).findFirst();
    }

    /** The domains' names, in stream order (those of the first run; every run has the same). */
    public List<String> domainNames() {
      return runs.isEmpty() ? List.of()
          : runs.get(0).domains().stream().map(RunReport.DomainReport::name).toList();
    }
  }
}
