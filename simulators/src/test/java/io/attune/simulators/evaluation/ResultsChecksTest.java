package io.attune.simulators.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsChecksTest {

  private static final StreamEvaluation.Reset PER_DOMAIN = StreamEvaluation.Reset.PER_DOMAIN;

  /** A run whose domains have these errors (fractions) beside these source errors. */
  static RunReport run(String method, double[] errors, double[] sourceErrors) {
    List<RunReport.DomainReport> domains = new ArrayList<>();
    for (int d = 0; d < errors.length; d++) {
      domains.add(new RunReport.DomainReport(d, "c" + d + ":5", 100, errors[d],
          sourceErrors[d], 100));
    }
    double error = java.util.Arrays.stream(errors).average().orElse(0);
    double source = java.util.Arrays.stream(sourceErrors).average().orElse(0);
    return new RunReport(method, "m", "b", 64, PER_DOMAIN, "s", domains, 100L * errors.length,
        error, source, 1, 100);
  }

  static Results.Section section(RunReport... runs) {
    return new Results.Section("continual:c0:5,c1:5", 64, PER_DOMAIN, 100, List.of(runs));
  }

  static Results results(Results.Section perCorruption, Results.Section continual,
      Results.Section batchOne, Results.Section clean) {
    return new Results(ResultsPlan.standard(ResultsPlan.DEFAULT_METHODS, 100, 10, 100),
        perCorruption, continual, batchOne, clean, 1);
  }

  private static final double[] SOURCE = {0.5, 0.4};

  /** Everything as issue 6 expects it. */
  static Results expected() {
    return results(
        section(run("source", SOURCE, SOURCE), run("norm", new double[] {0.3, 0.2}, SOURCE),
            run("tent", new double[] {0.28, 0.2}, SOURCE),
            run("eata", new double[] {0.3, 0.2}, SOURCE),
            run("sar", new double[] {0.25, 0.2}, SOURCE)),
        section(run("source", SOURCE, SOURCE), run("tent", new double[] {0.3, 0.39}, SOURCE)),
        section(run("norm-ema", new double[] {0.45, 0.35}, SOURCE)),
        section(run("eata", new double[] {0.079}, new double[] {0.075})));
  }

  @Test
  void theExpectedShapePassesEveryCheckWithItsNumbers() {
    List<ResultsChecks.Check> checks = ResultsChecks.of(expected());

    assertThat(checks.subList(0, 7)).extracting(ResultsChecks.Check::status)
        .containsOnly(ResultsChecks.Status.PASS);
    assertThat(checks.subList(7, checks.size())).extracting(ResultsChecks.Check::status)
        .containsOnly(ResultsChecks.Status.SKIPPED);
    assertThat(checks.get(0).detail()).isEqualTo("source 45.00%, norm 25.00%: 20.00 pp lower");
    assertThat(checks.get(2).detail()).isEqualTo("eata 25.00%, norm 25.00% (+0.00 pp)");
    assertThat(checks.get(4).detail()).isEqualTo("source 7.50%, eata 7.90%: +0.40 pp");
    assertThat(checks.get(6).detail())
        .isEqualTo("on c1:5 source ends at 40.00%; the worst method, tent, at 39.00%");
  }

  @Test
  void eachMissNamesTheNumbersThatMissed() {
    Results r = results(
        section(run("norm", new double[] {0.48, 0.38}, SOURCE),
            run("tent", new double[] {0.49, 0.38}, SOURCE)),
        section(run("source", SOURCE, SOURCE), run("tent", new double[] {0.3, 0.41}, SOURCE),
            run("sar", new double[] {0.3, 0.45}, SOURCE)),
        section(run("norm-ema", new double[] {0.5, 0.4}, SOURCE)),
        section(run("eata", new double[] {0.0811}, new double[] {0.075})));

    List<ResultsChecks.Check> checks = ResultsChecks.of(r);

    assertThat(checks.subList(0, 7)).extracting(ResultsChecks.Check::status).containsExactly(
        ResultsChecks.Status.MISS, ResultsChecks.Status.MISS, ResultsChecks.Status.SKIPPED,
        ResultsChecks.Status.SKIPPED, ResultsChecks.Status.MISS, ResultsChecks.Status.MISS,
        ResultsChecks.Status.MISS);
    assertThat(checks.get(0).detail()).isEqualTo("source 45.00%, norm 43.00%: 2.00 pp lower");
    assertThat(checks.get(1).detail()).isEqualTo("tent 43.50%, norm 43.00% (+0.50 pp)");
    assertThat(checks.get(2).detail()).isEqualTo("eata was not run");
    assertThat(checks.get(4).detail()).isEqualTo("source 7.50%, eata 8.11%: +0.61 pp");
    assertThat(checks.get(5).detail()).isEqualTo("source 45.00%, norm-ema 45.00% (+0.00 pp)");
    assertThat(checks.get(6).detail())
        .isEqualTo("on c1:5 source ends at 40.00%; worse: tent 41.00%, sar 45.00%");
  }

  @Test
  void aCleanCostPrintedAsTheBoundPasses() {
    Results r = results(section(), section(), section(),
        section(run("eata", new double[] {0.08004}, new double[] {0.07502})));

    assertThat(ResultsChecks.of(r).get(4).status()).isEqualTo(ResultsChecks.Status.PASS);
  }

  @Test
  void theSecondMethodsIssueIsCheckedOnTheLabelShiftAndEverySectionRoidRan() {
    double[] s = SOURCE;
    Results.Section perCorruption = section(run("source", s, s),
        run("norm", new double[] {0.3, 0.2}, s), run("tent", new double[] {0.28, 0.2}, s),
        run("roid", new double[] {0.27, 0.2}, s), run("adanpc", new double[] {0.45, 0.4}, s),
        run("t3a", new double[] {0.5, 0.41}, s), run("cafa", new double[] {0.3, 0.2}, s));
    Results.Section sorted = new Results.Section("continual:c0:5,c1:5+sorted", 64, PER_DOMAIN,
        100, List.of(run("norm", new double[] {0.6, 0.5}, s),
            run("tent", new double[] {0.7, 0.6}, s), run("lame", new double[] {0.4, 0.3}, s),
            run("roid", new double[] {0.4, 0.3}, s)));
    Results.Section mixed = new Results.Section("mixed:c0:5,c1:5", 64,
        StreamEvaluation.Reset.NEVER, 100, List.of(run("norm", new double[] {0.3, 0.3}, s),
            run("roid", new double[] {0.36, 0.36}, s)));
    Results r = new Results(ResultsPlan.standard(ResultsPlan.DEFAULT_METHODS, 100, 10, 100),
        perCorruption, section(), section(), section(), List.of(sorted),
        java.util.Optional.of(mixed), 1, List.of());

    List<ResultsChecks.Check> checks = ResultsChecks.of(r).subList(7, 14);

    assertThat(checks).extracting(ResultsChecks.Check::expectation).containsExactly(
        "on label shift (sorted, severity 5), lame's mean error is below norm's and tent's",
        "on label shift (sorted, severity 5), roid's mean error is below norm's and tent's",
        "on the per-corruption run, roid's mean error is within 1 pp of the best method's",
        "on label shift (sorted, severity 5), roid's mean error is within 1 pp of the best "
            + "method's",
        "on mixed domains, roid's mean error is within 1 pp of the best method's",
        "adanpc's mean error over the corruptions is below source's",
        "t3a's mean error over the corruptions is below source's");
    assertThat(checks).extracting(ResultsChecks.Check::status).containsExactly(
        ResultsChecks.Status.PASS, ResultsChecks.Status.PASS, ResultsChecks.Status.PASS,
        ResultsChecks.Status.PASS, ResultsChecks.Status.MISS, ResultsChecks.Status.PASS,
        ResultsChecks.Status.MISS);
    assertThat(checks.get(4).detail()).isEqualTo("roid 36.00%, best norm 30.00% (+6.00 pp)");
    ResultsChecks.Check cafa = ResultsChecks.of(r).get(14);
    assertThat(cafa.status()).isEqualTo(ResultsChecks.Status.MISS);
    assertThat(cafa.detail()).isEqualTo("cafa 25.00%, tent 24.00% (+1.00 pp)");
  }

  @Test
  void atBatchSizeOneT3aAndAdanpcFaceTheSourceAndRoidEmaTheBest() {
    double[] s = SOURCE;
    Results.Section one = new Results.Section("continual:c0:5,c1:5", 1, PER_DOMAIN, 10,
        List.of(run("source", s, s), run("norm-ema", new double[] {0.3, 0.2}, s),
            run("t3a", new double[] {0.4, 0.3}, s), run("adanpc", new double[] {0.6, 0.5}, s),
            run("roid+ema", new double[] {0.31, 0.2}, s)));
    Results r = results(section(), section(), one, section());

    List<ResultsChecks.Check> checks = ResultsChecks.of(r);
    List<ResultsChecks.Check> atOne = checks.subList(checks.size() - 3, checks.size());

    assertThat(atOne).extracting(ResultsChecks.Check::expectation).containsExactly(
        "at batch size 1 (informative), t3a's mean error over the corruptions is below "
            + "source's",
        "at batch size 1 (informative), adanpc's mean error over the corruptions is below "
            + "source's",
        "on the batch-size-1 run, roid+ema's mean error is within 1 pp of the best method's");
    assertThat(atOne).extracting(ResultsChecks.Check::status).containsExactly(
        ResultsChecks.Status.PASS, ResultsChecks.Status.MISS, ResultsChecks.Status.PASS);
    assertThat(atOne.get(1).detail()).isEqualTo("adanpc 55.00%, source 45.00% (+10.00 pp)");
    assertThat(atOne.get(2).detail())
        .isEqualTo("roid+ema 25.50%, best norm-ema 25.00% (+0.50 pp)");
  }

  @Test
  void everyMissIsExplainedWithThePagesOwnNumbersAndNothingElseIs() {
    double[] s = SOURCE;
    Results.Section perCorruption = section(run("source", s, s),
        run("norm", new double[] {0.3, 0.2}, s), run("tent", new double[] {0.28, 0.2}, s),
        run("norm-ema", new double[] {0.3, 0.3}, s),
        run("t3a", new double[] {0.5, 0.45}, s), run("adanpc", new double[] {0.6, 0.5}, s),
        run("adanpc+norm", new double[] {0.3, 0.2}, s),
        run("roid+ema", new double[] {0.4, 0.4}, s));
    Results.Section continual = new Results.Section("continual:c0:5,c1:5", 64,
        StreamEvaluation.Reset.NEVER, 100, List.of(run("source", s, s),
            run("norm-ema", new double[] {0.3, 0.38}, s),
            run("t3a", new double[] {0.4, 0.46}, s),
            run("roid+ema", new double[] {0.4, 0.44}, s)));
    Results.Section sorted = new Results.Section("continual:c0:5,c1:5+sorted", 64, PER_DOMAIN,
        100, List.of(run("norm", new double[] {0.6, 0.5}, s),
            run("tent", new double[] {0.7, 0.6}, s), run("lame", new double[] {0.7, 0.6}, s),
            run("roid", new double[] {0.5, 0.4}, s),
            run("roid+ema", new double[] {0.3, 0.2}, s)));
    Results.Section one = new Results.Section("continual:c0:5,c1:5", 1, PER_DOMAIN, 10,
        List.of(run("source", s, s), run("t3a", new double[] {0.5, 0.42}, s),
            run("t3a+ema", new double[] {0.3, 0.2}, s)));
    Results r = new Results(ResultsPlan.standard(ResultsPlan.DEFAULT_METHODS, 100, 10, 100),
        perCorruption, continual, one, section(), List.of(sorted),
        java.util.Optional.empty(), 1, List.of());
    List<ResultsChecks.Check> checks = ResultsChecks.of(r);

    List<String> misses = ResultsMisses.explain(r, checks);

    assertThat(misses).hasSize((int) checks.stream()
        .filter(c -> c.status() == ResultsChecks.Status.MISS).count()).hasSize(6);
    assertThat(misses.get(0)).startsWith("- **in the continual run no method ends worse")
        .contains("`t3a` ends at 46.00% on c1:5; reset at every corruption it ends at 45.00% "
            + "there (source 40.00%): it is worse than the source on that corruption alone")
        .contains("`roid+ema` ends at 44.00% on c1:5; reset at every corruption it ends at "
            + "40.00% there (source 40.00%): alone it only ties the source there")
        .contains("after the last corruption's 2 batches, 90% of the estimate predates it; "
            + "`norm-ema`, with the same statistics, goes from 30.00% reset to 38.00% "
            + "continual on c1:5")
        .doesNotContain("`norm-ema` ends");
    assertThat(misses.get(1)).startsWith("- **on label shift (sorted, severity 5), lame's")
        .contains("output-only method").contains("nonparametric.md#");
    assertThat(misses.get(2)).contains("roid's mean error is within 1 pp")
        .contains("The best method here, `roid+ema`, normalizes with running statistics");
    assertThat(misses.get(3)).contains("adanpc's mean error over the corruptions")
        .contains("adanpc+norm 25.00%");
    assertThat(misses.get(4)).contains("t3a's mean error over the corruptions")
        .endsWith(ResultsMisses.NOT_INVESTIGATED);
    assertThat(misses.get(5)).startsWith("- **at batch size 1 (informative), t3a's")
        .contains("here it lands 1.00 pp on the other side")
        .contains("At batch 64 (100 per corruption) it is 2.50 pp above the source.")
        .contains("`t3a+ema` reaches 25.00% here.").contains("heldout/summary.md");
  }
}
