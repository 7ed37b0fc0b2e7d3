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
 * @param labelShift one section per class order and severity, in the plan's order; empty
 *     when the plan has none
 * @param mixed the corruptions mixed into one stream; empty when the plan skips it
 * @param seconds wall time of the whole run
 * @param reused the runs taken over from an archive instead of measured, as
 *     {@code method @ section}; empty when every run was measured
 */
public record Results(ResultsPlan plan, Section perCorruption, Section continual,
    Section batchOne, Section clean, List<Section> labelShift, Optional<Section> mixed,
    double seconds, List<String> reused) {

  public Results {
    labelShift = List.copyOf(labelShift);
    reused = List.copyOf(reused);
  }

  /** Results of the four first sections only, all measured. */
  public Results(ResultsPlan plan, Section perCorruption, Section continual, Section batchOne,
      Section clean, double seconds) {
    this(plan, perCorruption, continual, batchOne, clean, List.of(), Optional.empty(), seconds,
        List.of());
  }

  /** Every section, in page order. */
  public List<Section> sections() {
    List<Section> all = new java.util.ArrayList<>(List.of(perCorruption, continual, batchOne,
        clean));
    all.addAll(labelShift);
    mixed.ifPresent(all::add);
    return all;
  }

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
