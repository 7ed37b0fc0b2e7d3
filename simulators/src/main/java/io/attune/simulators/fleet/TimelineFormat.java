package io.attune.simulators.fleet;

import java.util.Locale;

/** The timeline as aligned text lines for a live console, or as CSV for a chart. */
public final class TimelineFormat {

  /** Column names of {@link #csv}. */
  public static final String CSV_HEADER = "tick,cohort,schedule,samples,source_accuracy,"
      + "adapted_accuracy,min_version,max_version,uploaded,unreliable,low_informative,"
      + "over_budget";

  private TimelineFormat() {}

  /** Header of {@link #line}. */
  public static String header() {
    return String.format(Locale.ROOT, "%5s  %-12s %-22s %9s  %7s %8s %6s  %9s %7s",
        "tick", "cohort", "schedule", "samples", "source", "adapted", "gain", "version",
        "upload");
  }

  /**
   * One aligned line: accuracies over the window in percent, the adapted model's gain in
   * points, the range of versions the cohort's devices hold, the share of samples uploaded.
   */
  public static String line(TimelinePoint p) {
    String versions = p.minVersion() == p.maxVersion() ? Long.toString(p.maxVersion())
        : p.minVersion() + "-" + p.maxVersion();
    return String.format(Locale.ROOT, "%5d  %-12s %-22s %9d  %6.1f%% %7.1f%% %+6.1f  %9s %6.1f%%",
        p.tick(), p.cohort(), p.schedule(), p.samplesSeen(), 100 * p.sourceAccuracy(),
        100 * p.adaptedAccuracy(), 100 * (p.adaptedAccuracy() - p.sourceAccuracy()), versions,
        100 * p.uploads().uploadShare());
  }

  /** One CSV row in {@link #CSV_HEADER} order; the schedule is quoted. */
  public static String csv(TimelinePoint p) {
    return String.format(Locale.ROOT, "%d,%s,\"%s\",%d,%.4f,%.4f,%d,%d,%d,%d,%d,%d", p.tick(),
        p.cohort(), p.schedule().replace("\"", "\"\""), p.samplesSeen(), p.sourceAccuracy(),
        p.adaptedAccuracy(), p.minVersion(), p.maxVersion(), p.uploads().uploaded(),
        p.uploads().unreliable(), p.uploads().lowInformative(), p.uploads().overBudget());
  }
}
