package io.attune.simulators.evaluation;

import io.attune.adaptation.eval.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The expected shape of the results (issue 6, "Done means"), checked on the numbers:
 * <ul>
 *   <li>{@code norm}'s mean error over the corruptions is at least 5 pp below {@code source}'s;
 *   <li>{@code tent}, {@code eata} and {@code sar} each have a mean error at most
 *       {@code norm}'s;
 *   <li>on clean data, {@code eata} costs at most 0.5 pp over {@code source};
 *   <li>at batch size 1, {@code norm-ema}'s mean error is below {@code source}'s;
 *   <li>in the continual run, no method ends (last corruption) worse than {@code source}.
 * </ul>
 * and of the second methods issue (7):
 * <ul>
 *   <li>in every class-sorted label-shift section, {@code lame} and {@code roid} each have a
 *       mean error below both {@code norm}'s and {@code tent}'s;
 *   <li>in every section, {@code roid}'s mean error is within 1 pp of the best method's;
 *   <li>{@code adanpc} and {@code t3a} each have a mean error below {@code source}'s;
 *   <li>{@code cafa}'s mean error is below {@code tent}'s;
 *   <li>at batch size 1 (informative: the issue asks it of the severity-5 table),
 *       {@code t3a} and {@code adanpc} each have a mean error below {@code source}'s, and
 *       {@code roid+ema}, the form of ROID that runs one sample per step, is within 1 pp of the
 *       best method's.
 * </ul>
 * A check whose methods were not run is {@link Status#SKIPPED}. {@link ResultsMisses} says why
 * each {@link Status#MISS} missed.
 */
public final class ResultsChecks {

  /** Norm must lower the mean error by at least this much, in percentage points. */
  public static final double NORM_GAIN_PP = 5;
  /** The most that a full pass of EATA over clean data may cost, in percentage points. */
  public static final double EATA_CLEAN_COST_PP = 0.5;

  /** How far ROID may be from the best method of a section, in percentage points. */
  public static final double ROID_MARGIN_PP = 1;

  /** The form of ROID that runs at batch size 1 (running statistics; see ResultsPage). */
  public static final String BATCH_ONE_ROID = "roid+ema";

  /** Outcome of a check. */
  public enum Status { PASS, MISS, SKIPPED }

  /** Which expectation a check is, so that a miss can be explained ({@link ResultsMisses}). */
  public enum Kind {
    NORM_GAIN, AT_MOST_NORM, EATA_CLEAN_COST, BATCH_ONE_EMA, CONTINUAL_ENDS,
    BEATS_NORM_AND_TENT, ROID_NEAR_BEST, BELOW
  }

  /**
   * One check.
   *
   * @param expectation what should hold
   * @param detail the numbers it was decided on
   * @param kind which expectation
   * @param method the method it is about (the first named, for {@link Kind#BELOW}), or null
   * @param section the section it was decided on, or null where it was not run
   */
  public record Check(String expectation, Status status, String detail, Kind kind,
      String method, Results.Section section) {}

  private ResultsChecks() {}

  /** Every check, in the order above. */
  public static List<Check> of(Results results) {
    List<Check> checks = new ArrayList<>();
    checks.add(normGain(results.perCorruption()));
    for (String method : List.of("tent", "eata", "sar")) {
      checks.add(atMostNorm(results.perCorruption(), method));
    }
    checks.add(eataCleanCost(results.clean()));
    checks.add(batchOneEma(results.batchOne()));
    checks.add(continualEnds(results.continual()));
    for (Results.Section s : results.labelShift()) {
      if (s.schedule().endsWith("+sorted")) {
        for (String method : List.of("lame", "roid")) {
          checks.add(beatsNormAndTent(s, method));
        }
      }
    }
    for (Results.Section s : results.sections()) {
      if (s.run("roid").isPresent()) {
        checks.add(nearBest(s, "roid"));
      }
    }
    if (results.perCorruption().run("roid").isEmpty()) {
      checks.add(skipped("roid's mean error is within " + ROID_MARGIN_PP + " pp of the best "
          + "method's in every section", "roid", Kind.ROID_NEAR_BEST));
    }
    for (String method : List.of("adanpc", "t3a")) {
      checks.add(below(results.perCorruption(), method, "source"));
    }
    checks.add(below(results.perCorruption(), "cafa", "tent"));
    for (String method : List.of("t3a", "adanpc")) {
      checks.add(below(results.batchOne(), method, "source"));
    }
    Results.Section one = results.batchOne();
    checks.add(one.run(BATCH_ONE_ROID).isPresent() ? nearBest(one, BATCH_ONE_ROID)
        : skipped(String.format(Locale.ROOT, "on the batch-size-1 run, %s's mean error is "
            + "within %.0f pp of the best method's", BATCH_ONE_ROID, ROID_MARGIN_PP),
            BATCH_ONE_ROID, Kind.ROID_NEAR_BEST));
    return checks;
  }

  private static Check beatsNormAndTent(Results.Section s, String method) {
    String expectation = String.format(Locale.ROOT, "on %s, %s's mean error is below norm's "
        + "and tent's", describe(s), method);
    Optional<RunReport> run = s.run(method);
    Optional<RunReport> norm = s.run("norm");
    Optional<RunReport> tent = s.run("tent");
    if (run.isEmpty() || norm.isEmpty() || tent.isEmpty()) {
      return skipped(expectation, run.isEmpty() ? method : norm.isEmpty() ? "norm" : "tent",
          Kind.BEATS_NORM_AND_TENT);
    }
    double m = run.get().meanDomainError();
    boolean pass = m < norm.get().meanDomainError() && m < tent.get().meanDomainError();
    return new Check(expectation, pass ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "%s %.2f%%, norm %.2f%%, tent %.2f%%", method, pp(m),
            pp(norm.get().meanDomainError()), pp(tent.get().meanDomainError())),
        Kind.BEATS_NORM_AND_TENT, method, s);
  }

  private static Check nearBest(Results.Section s, String roidName) {
    String expectation = String.format(Locale.ROOT, "on %s, %s's mean error is within %.0f "
        + "pp of the best method's", describe(s), roidName, ROID_MARGIN_PP);
    RunReport roid = s.run(roidName).orElseThrow();
    RunReport best = best(s);
    double gap = pp(score(roid) - score(best));
    return new Check(expectation, gap <= ROID_MARGIN_PP ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "%s %.2f%%, best %s %.2f%% (%+.2f pp)", roidName,
            pp(score(roid)), best.method(), pp(score(best)), gap), Kind.ROID_NEAR_BEST,
        roidName, s);
  }

  /** The section's run with the lowest {@link #score}. */
  static RunReport best(Results.Section s) {
    return s.runs().stream().min(java.util.Comparator.comparingDouble(ResultsChecks::score))
        .orElseThrow();
  }

  /** Mean over the domains, except for a mixed stream, whose domains share batches. */
  static double score(RunReport r) {
    return r.stream().startsWith("mixed:") ? r.error() : r.meanDomainError();
  }

  private static Check below(Results.Section s, String method, String other) {
    String expectation = (s.batch() == 1 ? "at batch size 1 (informative), " : "") + method
        + "'s mean error over the corruptions is below " + other + "'s";
    Optional<RunReport> run = s.run(method);
    Optional<RunReport> base = s.run(other);
    if (run.isEmpty() || base.isEmpty()) {
      return skipped(expectation, run.isEmpty() ? method : other, Kind.BELOW);
    }
    double diff = pp(run.get().meanDomainError() - base.get().meanDomainError());
    return new Check(expectation, diff < 0 ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "%s %.2f%%, %s %.2f%% (%+.2f pp)", method,
            pp(run.get().meanDomainError()), other, pp(base.get().meanDomainError()), diff),
        Kind.BELOW, method, s);
  }

  /** A section in a few words, for a check's expectation. */
  private static String describe(Results.Section s) {
    String schedule = s.schedule();
    if (schedule.startsWith("mixed:")) {
      return "mixed domains";
    }
    if (schedule.contains("+")) {
      return "label shift (" + ResultsPage.settingName(schedule) + ")";
    }
    if (schedule.equals("clean")) {
      return "clean data";
    }
    if (s.batch() == 1) {
      return "the batch-size-1 run";
    }
    return s.reset() == io.attune.adaptation.eval.StreamEvaluation.Reset.NEVER ? "the continual run"
        : "the per-corruption run";
  }

  private static Check normGain(Results.Section s) {
    String expectation = String.format(Locale.ROOT, "norm lowers the mean error over the "
        + "corruptions by at least %.0f pp below source", NORM_GAIN_PP);
    Optional<RunReport> norm = s.run("norm");
    if (norm.isEmpty()) {
      return skipped(expectation, "norm", Kind.NORM_GAIN);
    }
    double gain = pp(norm.get().meanDomainSourceError() - norm.get().meanDomainError());
    return new Check(expectation, gain >= NORM_GAIN_PP ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, norm %.2f%%: %.2f pp lower",
            pp(norm.get().meanDomainSourceError()), pp(norm.get().meanDomainError()), gain),
        Kind.NORM_GAIN, "norm", s);
  }

  private static Check atMostNorm(Results.Section s, String method) {
    String expectation = method + "'s mean error is at most norm's";
    Optional<RunReport> norm = s.run("norm");
    Optional<RunReport> run = s.run(method);
    if (norm.isEmpty() || run.isEmpty()) {
      return skipped(expectation, norm.isEmpty() ? "norm" : method, Kind.AT_MOST_NORM);
    }
    double diff = pp(run.get().meanDomainError() - norm.get().meanDomainError());
    return new Check(expectation, diff <= 0 ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "%s %.2f%%, norm %.2f%% (%+.2f pp)", method,
            pp(run.get().meanDomainError()), pp(norm.get().meanDomainError()), diff),
        Kind.AT_MOST_NORM, method, s);
  }

  private static Check eataCleanCost(Results.Section s) {
    String expectation = String.format(Locale.ROOT, "on clean data eata costs at most %.1f pp "
        + "over source", EATA_CLEAN_COST_PP);
    Optional<RunReport> eata = s.run("eata");
    if (eata.isEmpty()) {
      return skipped(expectation, "eata", Kind.EATA_CLEAN_COST);
    }
    double cost = pp(eata.get().error() - eata.get().sourceError());
    // Compare in the units printed, so that a page never shows 0.50 pp as a miss.
    double shown = Math.round(cost * 100) / 100.0;
    return new Check(expectation, shown <= EATA_CLEAN_COST_PP ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, eata %.2f%%: %+.2f pp",
            pp(eata.get().sourceError()), pp(eata.get().error()), cost), Kind.EATA_CLEAN_COST,
        "eata", s);
  }

  private static Check batchOneEma(Results.Section s) {
    String expectation = "at batch size 1, norm-ema's mean error is below source's";
    Optional<RunReport> ema = s.run("norm-ema");
    if (ema.isEmpty()) {
      return skipped(expectation, "norm-ema", Kind.BATCH_ONE_EMA);
    }
    double diff = pp(ema.get().meanDomainError() - ema.get().meanDomainSourceError());
    return new Check(expectation, diff < 0 ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, norm-ema %.2f%% (%+.2f pp)",
            pp(ema.get().meanDomainSourceError()), pp(ema.get().meanDomainError()), diff),
        Kind.BATCH_ONE_EMA, "norm-ema", s);
  }

  private static Check continualEnds(Results.Section s) {
    String expectation = "in the continual run no method ends worse than source "
        + "(error on the last corruption)";
    List<RunReport> adapted = s.runs().stream().filter(r -> !r.method().equals("source"))
        .toList();
    if (adapted.isEmpty()) {
      return skipped(expectation, "any method but source", Kind.CONTINUAL_ENDS);
    }
    List<String> worse = new ArrayList<>();
    RunReport closest = adapted.get(0);
    for (RunReport r : adapted) {
      if (r.lastDomain().error() > r.lastDomain().sourceError()) {
        worse.add(String.format(Locale.ROOT, "%s %.2f%%", r.method(), pp(r.lastDomain().error())));
      }
      if (r.lastDomain().error() > closest.lastDomain().error()) {
        closest = r;
      }
    }
    RunReport.DomainReport last = closest.lastDomain();
    String detail = worse.isEmpty()
        ? String.format(Locale.ROOT, "on %s source ends at %.2f%%; the worst method, %s, at "
            + "%.2f%%", last.name(), pp(last.sourceError()), closest.method(), pp(last.error()))
        : String.format(Locale.ROOT, "on %s source ends at %.2f%%; worse: %s", last.name(),
            pp(last.sourceError()), String.join(", ", worse));
    return new Check(expectation, worse.isEmpty() ? Status.PASS : Status.MISS, detail,
        Kind.CONTINUAL_ENDS, null, s);
  }

  private static Check skipped(String expectation, String missing, Kind kind) {
    return new Check(expectation, Status.SKIPPED, missing + " was not run", kind, null, null);
  }

  private static double pp(double fraction) {
    return 100 * fraction;
  }
}
