package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.eval.DriftEvaluation.Domain;
import io.attune.adaptation.eval.DriftEvaluation.DomainScore;
import io.attune.adaptation.eval.DriftEvaluation.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 10's targets computed from the hand-made run of {@link DriftReportTest}. */
class DriftChecksTest {

  private static final Result RUN = DriftReportTest.run();
  private static final DriftReport.Summary SUMMARY = DriftReport.summarize(RUN);

  /** A run of the given per-domain scores on clean and two severity-5 domains. */
  private static Result scored(DomainScore... scores) {
    return new Result("tent", List.of(new Domain("clean", true, 0),
        new Domain("fog:5", false, 5), new Domain("contrast:5", false, 5)), List.of(),
        List.of(scores), List.of(), 10, 20, 10);
  }

  @Test
  void detectionCountsAbruptShiftsRaisedWithinThreeBatches() {
    DriftChecks.Check c = DriftChecks.detection(SUMMARY);

    assertThat(c.pass()).isTrue();
    assertThat(c.measured()).isEqualTo("1 of 1 within 3 batches; mean delay 2.00, max 2");
  }

  @Test
  void aFalseAlarmOnCleanDataFailsTheCheck() {
    DriftChecks.Check c = DriftChecks.falseAlarms(SUMMARY);

    assertThat(c.pass()).isFalse();
    assertThat(c.measured()).isEqualTo("1 false alarms in 16 clean batches after the warm-up");
  }

  @Test
  void aRampRaisedAtSeverityTwoIsInTime() {
    DriftChecks.Check c = DriftChecks.ramps(RUN, SUMMARY);

    assertThat(c.pass()).isTrue();
    assertThat(c.measured()).isEqualTo("1 of 1 ramps raised before severity 4, at fog:2");
  }

  @Test
  void estimatesPassOnlyWhenBothModelsAreWithinFivePointsOnAverage() {
    // fog:5 source 40% estimated 44%, adapted 80% estimated 86%; contrast:5 source 30%
    // estimated 27%, adapted 80% estimated 82%: source 3.5 pp, adapted 4 pp
    Result within = scored(new DomainScore(0, 100, 90, 90, 90, 100, 0.5, 0.5),
        new DomainScore(1, 100, 80, 40, 80, 100, 0.86, 0.44),
        new DomainScore(2, 100, 80, 30, 80, 100, 0.82, 0.27));
    Result off = scored(new DomainScore(1, 100, 80, 40, 80, 100, 0.92, 0.44),
        new DomainScore(2, 100, 80, 30, 80, 100, 0.82, 0.27));

    assertThat(DriftChecks.estimates(within)).isEqualTo(new DriftChecks.Check(true,
        "mean absolute error over 2 severity-5 domains: source 3.50 pp, tent 4.00 pp"));
    assertThat(DriftChecks.estimates(off).pass()).as("adapted 7 pp").isFalse();
  }

  @Test
  void onASortedStreamTheGuardedAccuracyIsComparedWithTheSourceOnShiftedSamples() {
    // shifted: source 70 of 200, tent 40, guarded 67: -1.5 pp; the clean domain is left out
    Result r = scored(new DomainScore(0, 100, 10, 90, 10, 100, 0.5, 0.5),
        new DomainScore(1, 100, 20, 40, 38, 100, 0.3, 0.3),
        new DomainScore(2, 100, 20, 30, 29, 100, 0.3, 0.3));

    assertThat(DriftChecks.sorted(r)).isEqualTo(new DriftChecks.Check(true, "on 200 shifted "
        + "samples: source 35.00%, tent 20.00%, guarded 33.50% (-1.50 pp from the source)"));
    Result worse = scored(new DomainScore(1, 100, 20, 40, 37, 100, 0.3, 0.3),
        new DomainScore(2, 100, 20, 30, 28, 100, 0.3, 0.3));
    assertThat(DriftChecks.sorted(worse).pass()).as("-2.5 pp").isFalse();
  }

  @Test
  void aSortedCleanStreamIsJudgedOnAllItsSamples() {
    Result clean = scored(new DomainScore(0, 1000, 150, 924, 917, 1000, 0.5, 0.5));

    assertThat(DriftChecks.sorted(clean)).isEqualTo(new DriftChecks.Check(true, "on 1000 "
        + "clean samples: source 92.40%, tent 15.00%, guarded 91.70% (-0.70 pp from the "
        + "source)"));
    assertThat(DriftChecks.sorted(scored()).pass()).as("no samples at all").isFalse();
  }

  @Test
  void theGuardMayGiveUpAtMostHalfAPointOfTheAdaptedAccuracy() {
    Result kept = scored(new DomainScore(1, 1000, 800, 400, 797, 1000, 0.8, 0.4));
    Result lost = scored(new DomainScore(1, 1000, 800, 400, 790, 1000, 0.8, 0.4));

    assertThat(DriftChecks.gainKept(kept)).isEqualTo(new DriftChecks.Check(true, "on 1000 "
        + "shifted samples: source 40.00%, tent 80.00%, guarded 79.70%: 0.30 pp of the 40.00 pp "
        + "gain given up"));
    assertThat(DriftChecks.gainKept(lost).pass()).isFalse();
  }
}
