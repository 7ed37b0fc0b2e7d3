package io.attune.adaptation.eval;

import io.attune.adaptation.eval.DriftEvaluation.Domain;
import io.attune.adaptation.eval.DriftEvaluation.DomainScore;
import io.attune.adaptation.eval.DriftEvaluation.Result;
import io.attune.adaptation.eval.DriftReport.Episode;
import io.attune.adaptation.eval.DriftReport.Summary;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Issue 10's "done means" numbers, each computed from one {@link DriftEvaluation} run, with
 * whether it holds: the rows of the drift section of docs/results.md.
 */
public final class DriftChecks {

  /** Largest mean absolute estimate error over the severity-5 domains, in accuracy units. */
  public static final double ESTIMATE_TARGET = 0.05;
  /** How far below the source the guarded accuracy may be on a class-sorted stream. */
  public static final double SORTED_TARGET = 0.02;
  /** How much of the adapted accuracy the guard may give up on i.i.d. data. */
  public static final double GAIN_TARGET = 0.005;
  /** A gradual ramp must be detected before this severity. */
  public static final int RAMP_SEVERITY = 4;

  /**
   * One row.
   *
   * @param pass whether the number meets the target
   * @param measured the numbers, in a phrase
   */
  public record Check(boolean pass, String measured) {}

  private DriftChecks() {}

  /** Every abrupt shift of severity >= 3 after the warm-up raised within 3 batches. */
  public static Check detection(Summary s) {
    List<Episode> abrupt = s.episodes().stream().filter(e -> e.abrupt() && !e.inWarmup()
        && e.severity() >= 3).toList();
    List<Episode> late = abrupt.stream().filter(e -> e.delay().isEmpty()
        || e.delay().getAsLong() > DriftReport.DELAY_TARGET || !e.openBefore().isEmpty())
        .toList();
    double mean = abrupt.stream().filter(e -> e.delay().isPresent())
        .mapToLong(e -> e.delay().getAsLong()).average().orElse(Double.NaN);
    long max = abrupt.stream().filter(e -> e.delay().isPresent())
        .mapToLong(e -> e.delay().getAsLong()).max().orElse(0);
    String slow = late.isEmpty() ? "" : "; late or missed: " + late.stream().map(e -> e.name()
        + (e.delay().isPresent() ? " (" + e.delay().getAsLong() + ")" : " (missed)"))
        .collect(Collectors.joining(", "));
    return new Check(!abrupt.isEmpty() && late.isEmpty(), String.format(Locale.ROOT,
        "%d of %d within %d batches; mean delay %.2f, max %d%s", abrupt.size() - late.size(),
        abrupt.size(), DriftReport.DELAY_TARGET, mean, max, slow));
  }

  /** No detector raised on clean batches after the warm-up. */
  public static Check falseAlarms(Summary s) {
    return new Check(s.falseAlarms().isEmpty() && s.cleanBatches() > 0, String.format(
        Locale.ROOT, "%d false alarms in %d clean batches after the warm-up",
        s.falseAlarms().size(), s.cleanBatches()));
  }

  /** Every gradual ramp after the warm-up raised while its severity was below 4. */
  public static Check ramps(Result r, Summary s) {
    List<Episode> ramps = s.episodes().stream().filter(e -> !e.abrupt() && !e.inWarmup())
        .toList();
    long early = ramps.stream().filter(e -> e.delay().isPresent()
        && severity(r, e.detectedIn()) < RAMP_SEVERITY).count();
    String where = ramps.stream().map(e -> e.delay().isPresent() ? e.detectedIn() : "missed")
        .collect(Collectors.joining(", "));
    return new Check(!ramps.isEmpty() && early == ramps.size(), String.format(Locale.ROOT,
        "%d of %d ramps raised before severity %d, at %s", early, ramps.size(), RAMP_SEVERITY,
        where));
  }

  /** The mean absolute estimate error over the severity-5 domains, both models, within 5 pp. */
  public static Check estimates(Result r) {
    List<DomainScore> five = scores(r, d -> d.severity() == 5);
    double source = five.stream().mapToDouble(d -> Math.abs(d.estimatedSource()
        - d.sourceAccuracy())).average().orElse(Double.NaN);
    double adapted = five.stream().mapToDouble(d -> Math.abs(d.estimatedAdapted()
        - d.adaptedAccuracy())).average().orElse(Double.NaN);
    return new Check(source <= ESTIMATE_TARGET && adapted <= ESTIMATE_TARGET,
        String.format(Locale.ROOT, "mean absolute error over %d severity-5 domains: source "
            + "%.2f pp, %s %.2f pp", five.size(), 100 * source, r.method(), 100 * adapted));
  }

  /**
   * On the shifted samples, the guarded accuracy is at most 2 pp below the source's; on a run
   * without shifted samples (a clean stream sorted by class), on all of them.
   */
  public static Check sorted(Result r) {
    Accuracy shifted = accuracy(r, d -> !d.clean());
    boolean any = shifted.labelled > 0;
    Accuracy a = any ? shifted : accuracy(r, d -> true);
    double gap = a.guarded - a.source;
    return new Check(a.labelled > 0 && gap >= -SORTED_TARGET, String.format(Locale.ROOT,
        "on %d %s samples: source %.2f%%, %s %.2f%%, guarded %.2f%% (%+.2f pp from the "
            + "source)", a.labelled, any ? "shifted" : "clean", 100 * a.source, r.method(),
        100 * a.adapted, 100 * a.guarded, 100 * gap));
  }

  /** On the shifted samples, the guard gives up at most 0.5 pp of the adapted accuracy. */
  public static Check gainKept(Result r) {
    Accuracy a = accuracy(r, d -> !d.clean());
    double givenUp = a.adapted - a.guarded;
    return new Check(givenUp <= GAIN_TARGET, String.format(Locale.ROOT, "on %d shifted "
        + "samples: source %.2f%%, %s %.2f%%, guarded %.2f%%: %.2f pp of the %.2f pp gain "
        + "given up", a.labelled, 100 * a.source, r.method(), 100 * a.adapted, 100 * a.guarded,
        100 * givenUp, 100 * (a.adapted - a.source)));
  }

  private record Accuracy(long labelled, double source, double adapted, double guarded) {}

  private static Accuracy accuracy(Result r, Predicate<Domain> which) {
    List<DomainScore> ds = scores(r, which);
    long n = ds.stream().mapToLong(DomainScore::labelled).sum();
    double d = Math.max(1, n);
    return new Accuracy(n, ds.stream().mapToLong(DomainScore::sourceCorrect).sum() / d,
        ds.stream().mapToLong(DomainScore::adaptedCorrect).sum() / d,
        ds.stream().mapToLong(DomainScore::guardedCorrect).sum() / d);
  }

  private static List<DomainScore> scores(Result r, Predicate<Domain> which) {
    return r.scores().stream().filter(d -> which.test(r.domains().get(d.domain()))).toList();
  }

  private static int severity(Result r, String domain) {
    return r.domains().stream().filter(d -> d.name().equals(domain)).mapToInt(Domain::severity)
        .findFirst().orElse(Integer.MAX_VALUE);
  }
}
