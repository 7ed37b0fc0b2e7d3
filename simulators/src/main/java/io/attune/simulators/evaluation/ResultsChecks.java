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
 * A check whose methods were not run is {@link Status#SKIPPED}.
 */
public final class ResultsChecks {

  /** Norm must lower the mean error by at least this much, in percentage points. */
  public static final double NORM_GAIN_PP = 5;
  /** The most that a full pass of EATA over clean data may cost, in percentage points. */
  public static final double EATA_CLEAN_COST_PP = 0.5;

  /** Outcome of a check. */
  public enum Status { PASS, MISS, SKIPPED }

  /**
   * One check.
   *
   * @param expectation what should hold
   * @param detail the numbers it was decided on
   */
  public record Check(String expectation, Status status, String detail) {}

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
    return checks;
  }

  private static Check normGain(Results.Section s) {
    String expectation = String.format(Locale.ROOT, "norm lowers the mean error over the "
        + "corruptions by at least %.0f pp below source", NORM_GAIN_PP);
    Optional<RunReport> norm = s.run("norm");
    if (norm.isEmpty()) {
      return skipped(expectation, "norm");
    }
    double gain = pp(norm.get().meanDomainSourceError() - norm.get().meanDomainError());
    return new Check(expectation, gain >= NORM_GAIN_PP ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, norm %.2f%%: %.2f pp lower",
            pp(norm.get().meanDomainSourceError()), pp(norm.get().meanDomainError()), gain));
  }

  private static Check atMostNorm(Results.Section s, String method) {
    String expectation = method + "'s mean error is at most norm's";
    Optional<RunReport> norm = s.run("norm");
    Optional<RunReport> run = s.run(method);
    if (norm.isEmpty() || run.isEmpty()) {
      return skipped(expectation, norm.isEmpty() ? "norm" : method);
    }
    double diff = pp(run.get().meanDomainError() - norm.get().meanDomainError());
    return new Check(expectation, diff <= 0 ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "%s %.2f%%, norm %.2f%% (%+.2f pp)", method,
            pp(run.get().meanDomainError()), pp(norm.get().meanDomainError()), diff));
  }

  private static Check eataCleanCost(Results.Section s) {
    String expectation = String.format(Locale.ROOT, "on clean data eata costs at most %.1f pp "
        + "over source", EATA_CLEAN_COST_PP);
    Optional<RunReport> eata = s.run("eata");
    if (eata.isEmpty()) {
      return skipped(expectation, "eata");
    }
    double cost = pp(eata.get().error() - eata.get().sourceError());
    // Compare in the units printed, so that a page never shows 0.50 pp as a miss.
    double shown = Math.round(cost * 100) / 100.0;
    return new Check(expectation, shown <= EATA_CLEAN_COST_PP ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, eata %.2f%%: %+.2f pp",
            pp(eata.get().sourceError()), pp(eata.get().error()), cost));
  }

  private static Check batchOneEma(Results.Section s) {
    String expectation = "at batch size 1, norm-ema's mean error is below source's";
    Optional<RunReport> ema = s.run("norm-ema");
    if (ema.isEmpty()) {
      return skipped(expectation, "norm-ema");
    }
    double diff = pp(ema.get().meanDomainError() - ema.get().meanDomainSourceError());
    return new Check(expectation, diff < 0 ? Status.PASS : Status.MISS,
        String.format(Locale.ROOT, "source %.2f%%, norm-ema %.2f%% (%+.2f pp)",
            pp(ema.get().meanDomainSourceError()), pp(ema.get().meanDomainError()), diff));
  }

  private static Check continualEnds(Results.Section s) {
    String expectation = "in the continual run no method ends worse than source "
        + "(error on the last corruption)";
    List<RunReport> adapted = s.runs().stream().filter(r -> !r.method().equals("source"))
        .toList();
    if (adapted.isEmpty()) {
      return skipped(expectation, "any method but source");
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
    return new Check(expectation, worse.isEmpty() ? Status.PASS : Status.MISS, detail);
  }

  private static Check skipped(String expectation, String missing) {
    return new Check(expectation, Status.SKIPPED, missing + " was not run");
  }

  private static double pp(double fraction) {
    return 100 * fraction;
  }
}
