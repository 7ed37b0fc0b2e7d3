package io.attune.adaptation.eval;

import io.attune.adaptation.drift.ChangeDetector;
import io.attune.adaptation.drift.DriftEvent;
import io.attune.adaptation.drift.DriftReference;
import io.attune.adaptation.drift.Signal;
import io.attune.adaptation.eval.DriftEvaluation.Domain;
import io.attune.adaptation.eval.DriftEvaluation.DomainScore;
import io.attune.adaptation.eval.DriftEvaluation.Result;
import io.attune.adaptation.eval.DriftEvaluation.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * What a {@link DriftEvaluation} found, per shift and in total: detection delays, false alarms
 * on clean data, accuracy-estimate errors and the guard's effect, with a Markdown rendering.
 */
public final class DriftReport {

  /** Abrupt shifts must be detected within this many batches. */
  public static final int DELAY_TARGET = 3;

  /**
   * One shift episode: a run of shifted segments between clean ones.
   *
   * @param name its domains, e.g. {@code fog:5}, or {@code fog:1 .. fog:5 .. fog:1} for a ramp
   *     (first, most severe, last)
   * @param severity the severity of its first segment
   * @param firstBatch its first batch
   * @param batches its length
   * @param inWarmup whether it began before the detectors' baselines were set
   * @param openBefore alerts still open from earlier when it began
   * @param delay batches into the episode when the first alert was raised (1 = its first
   *     batch); empty if none was
   * @param detectedIn the domain whose batch raised it, or empty
   * @param signalDelays per signal, the delay as above, -1 when it did not raise
   * @param clearAfter batches into the following clean segment until no alert was open; -1 when
   *     some stayed open through it or no clean segment followed
   */
  public record Episode(String name, int severity, long firstBatch, long batches,
      boolean inWarmup, List<Signal> openBefore, OptionalLong delay, String detectedIn,
      List<Long> signalDelays, long clearAfter) {

    /** An abrupt shift is one segment; a ramp several. */
    public boolean abrupt() {
      return !name.contains(" .. ");
    }
  }

  /**
   * The report.
   *
   * @param falseAlarms alerts raised on clean batches after the warm-up
   * @param cleanBatches clean batches after the warm-up
   */
  public record Summary(List<Episode> episodes, List<DriftEvent> falseAlarms,
      long cleanBatches) {}

  private DriftReport() {}

  public static Summary summarize(Result r) {
    List<Episode> episodes = new ArrayList<>();
    List<Segment> segs = r.segments();
    int i = 0;
    long cleanBatches = 0;
    List<DriftEvent> falseAlarms = new ArrayList<>();
    while (i < segs.size()) {
      Segment s = segs.get(i);
      if (domain(r, s).clean()) {
        cleanBatches += Math.max(0, s.firstBatch() + s.batches()
            - Math.max(s.firstBatch(), r.warmupBatches()));
        for (DriftEvent e : r.events()) {
          if (e.signal() == Signal.DATA_DRIFT
              && e.transition() == ChangeDetector.Transition.RAISED
              && e.batch() >= s.firstBatch() && e.batch() < s.firstBatch() + s.batches()
              && e.batch() >= r.warmupBatches()) {
            falseAlarms.add(e);
          }
        }
        i++;
        continue;
      }
      int j = i;
      while (j < segs.size() && !domain(r, segs.get(j)).clean()) {
        j++;
      }
      episodes.add(episode(r, segs.subList(i, j), j < segs.size() ? segs.get(j) : null));
      i = j;
    }
    return new Summary(episodes, falseAlarms, cleanBatches);
  }

  private static Episode episode(Result r, List<Segment> segs, Segment after) {
    Segment first = segs.get(0);
    Segment last = segs.get(segs.size() - 1);
    Segment peak = segs.stream().max(java.util.Comparator.comparingInt(
        (Segment x) -> domain(r, x).severity())).orElseThrow();
    String name = segs.size() == 1 ? domain(r, first).name()
        : domain(r, first).name() + (peak != first && peak != last
            ? " .. " + domain(r, peak).name() : "") + " .. " + domain(r, last).name();
    long start = first.firstBatch();
    long batches = last.firstBatch() + last.batches() - start;
    List<Long> perSignal = new ArrayList<>();
    long delay = Long.MAX_VALUE;
    String detectedIn = "";
    for (Signal signal : Signal.DETECTED) {
      long d = -1;
      for (Segment s : segs) {
        Long at = s.raised().get(signal);
        if (at != null) {
          d = s.firstBatch() - start + at;
          break;
        }
      }
      perSignal.add(d);
      if (d > 0 && d < delay) {
        delay = d;
        detectedIn = domainAt(r, segs, start + d - 1);
      }
    }
    return new Episode(name, domain(r, first).severity(), start, batches,
        start < r.warmupBatches(), first.openAtStart(),
        delay == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(delay), detectedIn,
        perSignal, clearAfter(after));
  }

  private static long clearAfter(Segment clean) {
    if (clean == null || !clean.openAtEnd().isEmpty()) {
      return -1;
    }
    return clean.openAtStart().stream().mapToLong(s -> clean.resolved().getOrDefault(s, 0L))
        .max().orElse(0);
  }

  private static String domainAt(Result r, List<Segment> segs, long batch) {
    for (Segment s : segs) {
      if (batch >= s.firstBatch() && batch < s.firstBatch() + s.batches()) {
        return domain(r, s).name();
      }
    }
    return "";
  }

  private static Domain domain(Result r, Segment s) {
    return r.domains().get(s.domain());
  }

  /** The report as Markdown: headline numbers, then shifts, clean parts, estimates, events. */
  public static String markdown(Result r, Summary s, DriftReference reference, String setup) {
    StringBuilder md = new StringBuilder();
    md.append(setup).append("\n\n");
    md.append(headline(r, s)).append('\n');
    md.append(String.format(Locale.ROOT, "Calibration: ATC threshold %.4f nats of entropy, from "
        + "%d clean source images on which the source model is %.2f%% accurate.%n%n",
        reference.entropyThreshold(), reference.calibrationSamples(),
        100 * reference.calibrationAccuracy()));
    md.append(shiftTable(s)).append('\n');
    md.append(estimateTable(r)).append('\n');
    String estimators = estimatorTable(r);
    if (!estimators.isEmpty()) {
      md.append(estimators).append('\n');
    }
    md.append(eventList(r));
    return md.toString();
  }

  /** The Done-means numbers as a list. */
  static String headline(Result r, Summary s) {
    StringBuilder md = new StringBuilder("### Summary\n\n");
    List<Episode> abrupt = s.episodes().stream().filter(e -> e.abrupt() && !e.inWarmup()
        && e.severity() >= 3).toList();
    long inTime = abrupt.stream().filter(e -> e.delay().isPresent()
        && e.delay().getAsLong() <= DELAY_TARGET && e.openBefore().isEmpty()).count();
    if (!abrupt.isEmpty()) {
      md.append(String.format(Locale.ROOT, "- abrupt shifts of severity >= 3 detected within %d "
          + "batches: **%d of %d**; delays %s%n", DELAY_TARGET, inTime, abrupt.size(),
          delayStats(abrupt)));
    }
    md.append(String.format(Locale.ROOT, "- false alarms on clean data: **%d** in %d clean "
        + "batches after the %d-batch warm-up%n", s.falseAlarms().size(), s.cleanBatches(),
        r.warmupBatches()));
    for (Episode e : s.episodes()) {
      if (!e.abrupt() && !e.inWarmup()) {
        md.append(String.format(Locale.ROOT, "- sequence %s: first alert %s%n", e.name(),
            e.delay().isPresent() ? "at " + e.detectedIn() + ", batch " + e.delay().getAsLong()
                + " of the sequence" : "never"));
      }
    }
    md.append(errorLine(r, d -> !d.clean(), "shifted domains"));
    md.append(errorLine(r, d -> d.severity() == 5, "severity-5 domains"));
    md.append(errorLine(r, Domain::clean, "clean data"));
    long labelled = r.scores().stream().mapToLong(DomainScore::labelled).sum();
    if (labelled > 0) {
      md.append(String.format(Locale.ROOT, "- accuracy over the stream: source %.2f%%, %s "
          + "%.2f%%, guarded %.2f%% (adapted parameters allowed in %d of %d batches)%n",
          pct(r, DomainScore::sourceCorrect, labelled), r.method(),
          pct(r, DomainScore::adaptedCorrect, labelled),
          pct(r, DomainScore::guardedCorrect, labelled), r.adaptedPublishedBatches(),
          r.batches()));
    }
    return md.toString();
  }

  private static double pct(Result r, java.util.function.ToLongFunction<DomainScore> f,
      long labelled) {
    return 100.0 * r.scores().stream().mapToLong(f).sum() / labelled;
  }

  private static String delayStats(List<Episode> episodes) {
    List<Long> d = episodes.stream().filter(e -> e.delay().isPresent())
        .map(e -> e.delay().getAsLong()).sorted().toList();
    if (d.isEmpty()) {
      return "none detected";
    }
    double mean = d.stream().mapToLong(Long::longValue).average().orElse(0);
    return String.format(Locale.ROOT, "mean %.2f, max %d batches; %d missed, %d with an alert "
        + "still open from before", mean, d.get(d.size() - 1),
        episodes.stream().filter(e -> e.delay().isEmpty()).count(),
        episodes.stream().filter(e -> !e.openBefore().isEmpty()).count());
  }

  private static String errorLine(Result r, java.util.function.Predicate<Domain> which,
      String label) {
    List<DomainScore> ds = r.scores().stream().filter(d -> which.test(r.domains()
        .get(d.domain()))).toList();
    if (ds.isEmpty()) {
      return "";
    }
    double a = ds.stream().mapToDouble(d -> Math.abs(d.estimatedAdapted() - d.adaptedAccuracy()))
        .average().orElse(Double.NaN);
    double s = ds.stream().mapToDouble(d -> Math.abs(d.estimatedSource() - d.sourceAccuracy()))
        .average().orElse(Double.NaN);
    double ab = ds.stream().mapToDouble(d -> d.estimatedAdapted() - d.adaptedAccuracy())
        .average().orElse(Double.NaN);
    double sb = ds.stream().mapToDouble(d -> d.estimatedSource() - d.sourceAccuracy())
        .average().orElse(Double.NaN);
    return String.format(Locale.ROOT, "- accuracy-estimate error over %d %s: adapted **%.2f "
        + "pp** (bias %+.2f), source **%.2f pp** (bias %+.2f), mean absolute per domain%n",
        ds.size(), label, 100 * a, 100 * ab, 100 * s, 100 * sb);
  }

  static String shiftTable(Summary s) {
    StringBuilder md = new StringBuilder("### Shifts\n\n");
    md.append("Delay: batches into the shift when the first alert was raised (1 = its first "
        + "batch). Clear: batches into the following clean part until no alert was open.\n\n");
    md.append("| shift | batches | delay | ").append(Signal.DETECTED.stream()
        .map(Signal::label).collect(Collectors.joining(" | "))).append(" | clear | note |\n");
    md.append("|---|---:|---:|").append("---:|".repeat(Signal.DETECTED.size()))
        .append("---:|---|\n");
    for (Episode e : s.episodes()) {
      md.append("| ").append(e.name()).append(" | ").append(e.batches()).append(" | ")
          .append(e.delay().isPresent() ? Long.toString(e.delay().getAsLong()) : "missed")
          .append(" | ");
      for (long d : e.signalDelays()) {
        md.append(d > 0 ? Long.toString(d) : "-").append(" | ");
      }
      md.append(e.clearAfter() >= 0 ? Long.toString(e.clearAfter()) : "open").append(" | ")
          .append(e.inWarmup() ? "in warm-up" : e.openBefore().isEmpty() ? ""
              : "open before: " + e.openBefore()).append(" |\n");
    }
    return md.toString();
  }

  static String estimateTable(Result r) {
    StringBuilder md = new StringBuilder("### Accuracy and its label-free estimates\n\n");
    md.append("Per domain, over all its batches: true accuracy, ATC estimate, and the error "
        + "(estimate - truth) in percentage points.\n\n");
    md.append("| domain | samples | source | est. | error | ").append(r.method())
        .append(" | est. | error | guarded |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (DomainScore d : r.scores()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %+.1f | %.1f | %.1f | "
          + "%+.1f | %.1f |%n", r.domains().get(d.domain()).name(), d.samples(),
          100 * d.sourceAccuracy(), 100 * d.estimatedSource(),
          100 * (d.estimatedSource() - d.sourceAccuracy()), 100 * d.adaptedAccuracy(),
          100 * d.estimatedAdapted(), 100 * (d.estimatedAdapted() - d.adaptedAccuracy()),
          100 * d.guardedAccuracy()));
    }
    return md.toString();
  }

  /**
   * Every {@link DriftEvaluation.Estimator}'s mean absolute error (and bias) per domain group;
   * empty when the run measured none.
   */
  static String estimatorTable(Result r) {
    if (r.scores().stream().allMatch(d -> d.estimators().length == 0)) {
      return "";
    }
    List<java.util.function.Predicate<Domain>> groups = List.of(d -> d.severity() == 5,
        d -> !d.clean(), Domain::clean);
    List<String> names = List.of("severity 5", "all shifted", "clean");
    StringBuilder md = new StringBuilder("### Estimators compared\n\n");
    md.append("Mean absolute error (bias) in pp over the domains of each group, of every "
        + "estimator the evaluation measures; the monitor reports the ones marked used.\n\n");
    md.append("| model | estimator |");
    List<Integer> present = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      java.util.function.Predicate<Domain> group = groups.get(g);
      long n = r.scores().stream().filter(d -> group.test(r.domains().get(d.domain()))).count();
      if (n > 0) {
        present.add(g);
        md.append(' ').append(names.get(g)).append(" (").append(n).append(") |");
      }
    }
    md.append("\n|---|---|").append("---:|".repeat(present.size())).append('\n');
    for (DriftEvaluation.Estimator e : DriftEvaluation.Estimator.values()) {
      md.append("| ").append(e.adapted() ? r.method() : "source").append(" | ")
          .append(e.description()).append(" |");
      for (int g : present) {
        java.util.function.Predicate<Domain> group = groups.get(g);
        double[] errors = r.scores().stream().filter(d -> group.test(r.domains()
            .get(d.domain()))).mapToDouble(d -> d.estimatorError(e)).toArray();
        md.append(String.format(Locale.ROOT, " %.2f (%+.2f) |", 100 * java.util.Arrays
            .stream(errors).map(Math::abs).average().orElse(Double.NaN), 100 * java.util.Arrays
            .stream(errors).average().orElse(Double.NaN)));
      }
      md.append('\n');
    }
    return md.toString();
  }

  static String eventList(Result r) {
    StringBuilder md = new StringBuilder("### Alerts\n\n");
    if (r.events().isEmpty()) {
      return md.append("None.\n").toString();
    }
    for (DriftEvent e : r.events()) {
      md.append("- ").append(e.transition()).append(' ').append(e.summary()
          .startsWith(e.signal().label()) ? "" : e.signal().label() + ": ").append(e.summary())
          .append('\n');
    }
    return md.toString();
  }

  /** Column names of {@link #traceRow}, comma-separated. */
  public static String traceHeader() {
    return "batch,domain,samples,adapted_correct,source_correct,guarded_correct,labelled,"
        + "statistics_divergence,entropy,class_divergence,adapted_entropy,share_used,"
        + "diversity,confident_agreement,adapted_estimate,source_estimate,z_statistics,"
        + "z_entropy,z_class,window_adapted_estimate,window_source_estimate,publish_adapted,"
        + "open_alerts,events";
  }

  /** One batch of a run as a CSV row. */
  public static String traceRow(DriftEvaluation.BatchTrace t, List<Domain> domains) {
    var s = t.signals();
    var u = t.update();
    return String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.4f,%.4f,%.4f,"
        + "%.4f,%.4f,%.3f,%.3f,%.3f,%.4f,%.4f,%s,%s,%s", t.batch(),
        domains.get(t.domain()).name(), s.samples(), t.adaptedCorrect(), t.sourceCorrect(),
        t.guardedCorrect(), t.labelled(), s.statisticsDivergence(), s.entropy(),
        s.classDivergence(), s.adaptedEntropy(), s.shareUsed(), s.diversity(),
        s.confidentAgreement(), s.adaptedEstimate(), s.sourceEstimate(),
        u.levels().get(Signal.STATISTICS_DIVERGENCE), u.levels().get(Signal.ENTROPY),
        u.levels().get(Signal.CLASS_DIVERGENCE), u.estimates().adapted(),
        u.estimates().source(), u.publishAdapted(),
        u.state().openAlerts().stream().map(Signal::name).collect(Collectors.joining("|")),
        java.util.stream.Stream.concat(u.events().stream(), u.transitions().stream())
            .map(e -> e.transition() + ":" + e.signal().name())
            .collect(Collectors.joining("|")));
  }
}
