package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.drift.ThreeClassRows;
import io.attune.adaptation.eval.DriftEvaluation.Domain;
import io.attune.adaptation.eval.DriftEvaluation.DomainScore;
import io.attune.adaptation.eval.DriftEvaluation.Estimator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The label-free estimators the drift report compares, sample by sample and per domain. */
class DriftEstimatorsTest {

  private static final float[] SURE0 = ThreeClassRows.SURE0;
  private static final float[] SURE1 = ThreeClassRows.SURE1;
  private static final float[] UNSURE0 = ThreeClassRows.UNSURE0;

  private static float[] concat(float[]... rows) {
    return ThreeClassRows.rows(rows);
  }

  @Test
  void eachEstimatorCountsItsOwnSamples() {
    // 0: both sure of 0; 1: source sure 0, adapted sure 1 (contested); 2: source unsure 0,
    // adapted sure 0; 3: source sure 0, adapted unsure 0
    float[] adapted = concat(SURE0, SURE1, SURE0, UNSURE0);
    float[] source = concat(SURE0, SURE0, UNSURE0, SURE0);

    double[] e = Estimator.estimate(adapted, source, 4, 3, 0.5, 0.8);

    assertThat(e[Estimator.SOURCE_OWN.ordinal()]).as("0, 1, 3").isEqualTo(0.75);
    assertThat(e[Estimator.SOURCE_JUDGED.ordinal()]).as("0, 2").isEqualTo(0.5);
    assertThat(e[Estimator.SOURCE_AGREED.ordinal()]).as("0, 2, 3").isEqualTo(0.75);
    assertThat(e[Estimator.ADAPTED_OWN.ordinal()]).as("0, 1, 2").isEqualTo(0.75);
    assertThat(e[Estimator.ADAPTED_CONTESTED_HALF.ordinal()]).as("0, 2 and half of 1")
        .isEqualTo(0.625);
    assertThat(e[Estimator.ADAPTED_RECALIBRATED.ordinal()]).as("0, 1, 2 at 0.8 each")
        .isCloseTo(0.6, within(1e-12));
  }

  @Test
  void aRecalibratedEstimateNeverExceedsOne() {
    float[] sure = concat(SURE0, SURE0);

    double[] e = Estimator.estimate(sure, sure, 2, 3, 0.5, 1.3);

    assertThat(e[Estimator.ADAPTED_RECALIBRATED.ordinal()]).isEqualTo(1.0);
  }

  @Test
  void theTableGivesEveryEstimatorsErrorPerDomainGroup() {
    double[] fog = new double[Estimator.values().length];
    double[] clean = new double[Estimator.values().length];
    // fog:5: source 40%, adapted 80%; clean: source 90%, adapted 92%
    fog[Estimator.SOURCE_OWN.ordinal()] = 0.50;
    fog[Estimator.SOURCE_JUDGED.ordinal()] = 0.35;
    fog[Estimator.SOURCE_AGREED.ordinal()] = 0.42;
    fog[Estimator.ADAPTED_OWN.ordinal()] = 0.86;
    fog[Estimator.ADAPTED_CONTESTED_HALF.ordinal()] = 0.79;
    java.util.Arrays.fill(clean, 0.91);
    DriftEvaluation.Result r = new DriftEvaluation.Result("tent", List.of(
        new Domain("clean", true, 0), new Domain("fog:5", false, 5)), List.of(), List.of(
        new DomainScore(0, 100, 92, 90, 92, 100, 0.91, 0.91, clean),
        new DomainScore(1, 100, 80, 40, 80, 100, 0.86, 0.42, fog)), List.of(), 4, 20, 4);

    assertThat(r.scores().get(1).estimatorError(Estimator.SOURCE_OWN))
        .isCloseTo(0.10, within(1e-12));
    assertThat(DriftReport.estimatorTable(r))
        .contains("| model | estimator | severity 5 (1) | all shifted (1) | clean (1) |")
        .contains("| source | ATC on the source's own confidence (Garg et al.) | 10.00 (+10.00) "
            + "| 10.00 (+10.00) | 1.00 (+1.00) |")
        .contains("| source | both predict the same class and either is confident (used) | "
            + "2.00 (+2.00) |")
        .contains("| tent | ATC on the adapted model's own confidence | 6.00 (+6.00) |")
        .contains("| 1.00 (-1.00) |");
  }

  @Test
  void aRunWithoutTheComparisonHasNoTable() {
    assertThat(DriftReport.estimatorTable(DriftReportTest.run())).isEmpty();
  }
}
