package io.attune.simulators.demo;

import io.attune.adaptation.drift.ChangeDetector;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.edge.UploadFilter;
import io.attune.schemas.DriftAlert;
import io.attune.simulators.fleet.CohortSummary;
import io.attune.simulators.fleet.FleetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a demo run leaves behind: {@code report.md}, a table per cohort of frozen against adapted
 * accuracy, params versions, updates applied and refused, uploads sent and skipped, and the
 * drift alerts the worker published; and {@code accuracy.png}, the {@link AccuracyChart} of its
 * timeline.
 *
 * @param settings how the run was set up
 * @param result the fleet's timeline and summaries
 * @param alerts the alerts read from the alerts topic during the run, in arrival order
 * @param total wall time from the command's start to the end of the fleet's run
 * @param fleet wall time of the fleet's run alone
 * @param finished when the fleet finished
 */
public record DemoReport(Settings settings, FleetResult result, List<DriftAlert> alerts,
    Duration total, Duration fleet, Instant finished) {

  /** The report's file name in the output directory. */
  public static final String MARKDOWN = "report.md";
  /** The chart's file name in the output directory. */
  public static final String CHART = "accuracy.png";

  /** A demo schedule whose cohort starts clean, so that its detectors see the shift. */
  public static final String CLEAN_START_EXAMPLE = "continual:clean,fog:5+samples:2000";

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern(
      "yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * @param model model id
   * @param method the worker's adaptation method
   * @param batchSize samples per adaptation step
   * @param devices devices in all
   * @param samplesPerDevice samples each device predicted
   * @param window samples the chart's accuracies cover
   */
  public record Settings(String model, String method, int batchSize, int devices,
      long samplesPerDevice, int window) {}

  public DemoReport {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(result, "result");
    alerts = List.copyOf(alerts);
  }

  /** Writes {@link #MARKDOWN} and {@link #CHART} into {@code dir}, creating it if needed. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    AccuracyChart.write(result.timeline(), settings.window(), chartTitle(),
        dir.resolve(CHART));
    Files.writeString(dir.resolve(MARKDOWN), markdown());
  }

  String chartTitle() {
    return String.format(Locale.ROOT, "Attune demo: %s, %d devices in %d cohorts, batch %d",
        settings.method(), settings.devices(), result.cohorts().size(), settings.batchSize());
  }

  /** The report's Markdown text. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Attune demo report\n\n");
    md.append(String.format(Locale.ROOT, "`./attune demo` on %s: %d devices in %d cohorts, "
        + "%,d samples each, model `%s`; the worker adapted with `%s`, batch %d. %s from start "
        + "to report (the fleet ran %s).%n%n", WHEN.format(finished), settings.devices(),
        result.cohorts().size(), settings.samplesPerDevice(), settings.model(),
        settings.method(), settings.batchSize(), seconds(total), seconds(fleet)));
    md.append("Each device ran the model forward-only with the newest signed normalization "
        + "parameters of its cohort and uploaded only the samples that CEMA's filter selected; "
        + "the worker adapted on those uploads and published every step as a new parameters "
        + "version. A frozen twin per cohort ran the source model on the same samples. Labels "
        + "only score: the worker never reads them.\n\n");
    table(md, result.cohorts().values());
    md.append("\nAccuracies cover every sample the cohort's devices predicted, including those "
        + "predicted before the first update arrived. *Updates applied* counts over the "
        + "cohort's devices; *refused* would be unsigned, tampered, stale or another cohort's "
        + "updates. *Uploaded* is the share of predicted samples sent to the worker; the rest "
        + "were skipped as unreliable (high entropy), low-informative (near certain) or over the "
        + "upload budget.\n\n");
    md.append(String.format(Locale.ROOT, "![Accuracy over the last %d samples of each cohort, "
        + "frozen source against adapted](%s)%n", settings.window(), CHART));
    alerts(md);
    return md.toString();
  }

  private void alerts(StringBuilder md) {
    md.append("\n## Drift alerts\n\n");
    int warmup = DriftMonitor.Config.defaults().detectors().values().stream()
        .mapToInt(ChangeDetector.Config::warmup).max().orElse(0);
    if (alerts.isEmpty()) {
      md.append(String.format(Locale.ROOT, "The worker published no alert on `attune.alerts`. "
          + "Its change detectors take each cohort's baseline from the cohort's first %d "
          + "adaptation steps, so a cohort whose traffic is shifted from its first sample, as "
          + "the default cohorts are, learns that shift as its normal; and the accuracy guard "
          + "found no cohort's adapted model unhealthy, so every version carried adapted "
          + "parameters. A schedule that starts clean shows alerts, e.g. `--schedule "
          + "'%s' --samples 3000`.%n", warmup, CLEAN_START_EXAMPLE));
      return;
    }
    md.append(String.format(Locale.ROOT, "What the worker published on `attune.alerts`, in "
        + "arrival order. Change detectors take each cohort's baseline from its first %d "
        + "adaptation steps; *since* is the params version of the batch that raised the alert; the "
        + "estimates are label-free (ATC), of the frozen source and the adapted model.%n%n",
        warmup));
    md.append("| cohort | alert | signal | since | est. source | est. adapted | summary |\n");
    md.append("|---|---|---|---:|---:|---:|---|\n");
    for (DriftAlert a : alerts) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | v%d | %s | %s | %s |%n",
          a.getCohort(), a.getState(), a.getSignal(), a.getFirstBatch(),
          estimate(a.getSourceAccuracyEstimate()), estimate(a.getAdaptedAccuracyEstimate()),
          a.getSummary().replace("|", "\\|")));
    }
  }

  private static String estimate(Float share) {
    return share == null ? "-" : percent(share);
  }

  private static void table(StringBuilder md, Collection<CohortSummary> cohorts) {
    md.append("| cohort | shift | samples | frozen | adapted | gain | params version | "
        + "updates applied | refused | uploaded | skipped: unreliable / low-informative / "
        + "over budget |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    UploadFilter.Counts uploads = UploadFilter.Counts.ZERO;
    long samples = 0;
    long applied = 0;
    long refused = 0;
    for (CohortSummary c : cohorts) {
      md.append(String.format(Locale.ROOT, "| %s | `%s` | %,d | %s | %s | %s | %d | %,d | %d "
          + "| %s | %s |%n", c.cohort(), c.schedule(), c.samples(), percent(c.sourceAccuracy()),
          percent(c.adaptedAccuracy()), points(c.adaptedAccuracy() - c.sourceAccuracy()),
          c.finalVersion(), c.appliedUpdates(), c.rejectedUpdates(), uploaded(c.uploads()),
          skipped(c.uploads())));
      uploads = uploads.plus(c.uploads());
      samples += c.samples();
      applied += c.appliedUpdates();
      refused += c.rejectedUpdates();
    }
    double source = cohorts.stream().mapToDouble(CohortSummary::sourceAccuracy).average()
        .orElse(Double.NaN);
    double adapted = cohorts.stream().mapToDouble(CohortSummary::adaptedAccuracy).average()
        .orElse(Double.NaN);
    md.append(String.format(Locale.ROOT, "| **all** (mean of cohorts) | | %,d | %s | %s | %s | "
        + "| %,d | %d | %s | %s |%n", samples, percent(source), percent(adapted),
        points(adapted - source), applied, refused, uploaded(uploads), skipped(uploads)));
  }

  private static String uploaded(UploadFilter.Counts c) {
    return String.format(Locale.ROOT, "%,d (%.1f%%)", c.uploaded(), 100 * c.uploadShare());
  }

  private static String skipped(UploadFilter.Counts c) {
    return String.format(Locale.ROOT, "%,d / %,d / %,d", c.unreliable(), c.lowInformative(),
        c.overBudget());
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static String points(double gain) {
    return Double.isNaN(gain) ? "-" : String.format(Locale.ROOT, "%+.1f pp", 100 * gain);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0);
  }
}
