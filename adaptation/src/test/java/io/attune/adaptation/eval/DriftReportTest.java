package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.drift.ChangeDetector.Transition;
import io.attune.adaptation.drift.DriftEvent;
import io.attune.adaptation.drift.Estimates;
import io.attune.adaptation.drift.Signal;
import io.attune.adaptation.eval.DriftEvaluation.Domain;
import io.attune.adaptation.eval.DriftEvaluation.DomainScore;
import io.attune.adaptation.eval.DriftEvaluation.Segment;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Detection delays, false alarms and estimate errors of a run made by hand. */
class DriftReportTest {

  private static final Signal STATS = Signal.STATISTICS_DIVERGENCE;
  private static final Signal CLASSES = Signal.CLASS_DIVERGENCE;

  private static DriftEvent event(Signal s, Transition t, long batch) {
    return new DriftEvent(s, t, batch, batch, 0, 0, 0, 0, Estimates.NONE, "");
  }

  /**
   * 20 clean batches of warm-up; fog:5 for 6 batches, raised on its 2nd; 10 clean, resolved on
   * the 4th, with a false alarm of the class divergence on the 5th; a ramp fog:1 (4 batches),
   * fog:2 (4 batches) raised on fog:2's 3rd; 6 clean that end with the alert still open.
   */
  static DriftEvaluation.Result run() {
    List<Domain> domains = List.of(new Domain("clean", true, 0), new Domain("fog:5", false, 5),
        new Domain("fog:1", false, 1), new Domain("fog:2", false, 2));
    List<Segment> segments = List.of(
        new Segment(0, 0, 20, List.of(), Map.of(), Map.of(), List.of()),
        new Segment(1, 20, 6, List.of(), Map.of(STATS, 2L), Map.of(), List.of(STATS)),
        new Segment(0, 26, 10, List.of(STATS), Map.of(CLASSES, 5L),
            Map.of(STATS, 4L, CLASSES, 8L), List.of()),
        new Segment(2, 36, 4, List.of(), Map.of(), Map.of(), List.of()),
        new Segment(3, 40, 4, List.of(), Map.of(Signal.ENTROPY, 3L), Map.of(),
            List.of(Signal.ENTROPY)),
        new Segment(0, 44, 6, List.of(Signal.ENTROPY), Map.of(), Map.of(),
            List.of(Signal.ENTROPY)));
    // the alerts: one data-drift episode per stretch in which some detector was in alarm
    Signal drift = Signal.DATA_DRIFT;
    List<DriftEvent> events = List.of(event(drift, Transition.RAISED, 21),
        event(drift, Transition.RESOLVED, 29), event(drift, Transition.RAISED, 30),
        event(drift, Transition.RESOLVED, 33), event(drift, Transition.RAISED, 42));
    List<DomainScore> scores = List.of(
        // clean: source 90% (estimate 91%), adapted 92% (estimate 95%)
        new DomainScore(0, 2000, 1840, 1800, 1800, 2000, 0.95, 0.91),
        // fog:5: source 40% (estimate 35%), adapted 80% (estimate 84%)
        new DomainScore(1, 400, 320, 160, 300, 400, 0.84, 0.35),
        new DomainScore(2, 200, 180, 160, 180, 200, 0.90, 0.80),
        new DomainScore(3, 200, 170, 140, 170, 200, 0.80, 0.70));
    return new DriftEvaluation.Result("tent", domains, segments, scores, events, 50, 20, 48);
  }

  @Test
  void anAbruptShiftIsAnEpisodeWithItsDelayAndTheBatchesUntilAllClear() {
    DriftReport.Summary s = DriftReport.summarize(run());

    DriftReport.Episode fog = s.episodes().get(0);
    assertThat(fog.name()).isEqualTo("fog:5");
    assertThat(fog.abrupt()).isTrue();
    assertThat(fog.delay()).isEqualTo(OptionalLong.of(2));
    assertThat(fog.signalDelays()).containsExactly(2L, -1L, -1L);
    assertThat(fog.clearAfter()).as("class divergence raised and resolved in the clean part: "
        + "clear once the statistics alert resolved").isEqualTo(4);
    assertThat(fog.inWarmup()).isFalse();
    assertThat(fog.openBefore()).isEmpty();
  }

  @Test
  void aRampIsOneEpisodeDetectedInTheSegmentThatRaised() {
    DriftReport.Episode ramp = DriftReport.summarize(run()).episodes().get(1);

    assertThat(ramp.name()).isEqualTo("fog:1 .. fog:2");
    assertThat(ramp.abrupt()).isFalse();
    assertThat(ramp.batches()).isEqualTo(8);
    assertThat(ramp.delay()).isEqualTo(OptionalLong.of(7));
    assertThat(ramp.detectedIn()).isEqualTo("fog:2");
    assertThat(ramp.clearAfter()).isEqualTo(-1);
  }

  @Test
  void raisesOnCleanBatchesAfterTheWarmupAreFalseAlarms() {
    DriftReport.Summary s = DriftReport.summarize(run());

    assertThat(s.falseAlarms()).extracting(DriftEvent::batch).containsExactly(30L);
    assertThat(s.cleanBatches()).isEqualTo(16);
  }

  @Test
  void theHeadlineGivesTheDoneMeansNumbers() {
    DriftEvaluation.Result r = run();
    String headline = DriftReport.headline(r, DriftReport.summarize(r));

    assertThat(headline)
        .contains("abrupt shifts of severity >= 3 detected within 3 batches: **1 of 1**; "
            + "delays mean 2.00, max 2 batches; 0 missed, 0 with an alert still open from before")
        .contains("false alarms on clean data: **1** in 16 clean batches after the 20-batch "
            + "warm-up")
        .contains("sequence fog:1 .. fog:2: first alert at fog:2, batch 7 of the sequence")
        // fog:5: |84 - 80| = 4, |35 - 40| = 5; fog:1: 0 and 0; fog:2: |80 - 85| = 5, 0
        .contains("over 3 shifted domains: adapted **3.00 pp** (bias -0.33), source "
            + "**1.67 pp** (bias -1.67)")
        .contains("over 1 severity-5 domains: adapted **4.00 pp** (bias +4.00), source "
            + "**5.00 pp** (bias -5.00)")
        .contains("over 1 clean data: adapted **3.00 pp** (bias +3.00), source **1.00 pp**")
        .contains("accuracy over the stream: source 80.71%, tent 89.64%, guarded 87.50% "
            + "(adapted parameters allowed in 48 of 50 batches)");
  }

  @Test
  void theShiftTableHasARowPerEpisode() {
    String table = DriftReport.shiftTable(DriftReport.summarize(run()));

    assertThat(table).contains("| fog:5 | 6 | 2 | 2 | - | - | 4 |  |")
        .contains("| fog:1 .. fog:2 | 8 | 7 | - | 7 | - | open |  |");
  }

  @Test
  void aBatchBelongsToTheDomainMostOfItsSamplesComeFrom() {
    assertThat(DriftEvaluation.majority(new int[] {0, 1, 1}, 2)).isEqualTo(1);
    assertThat(DriftEvaluation.majority(new int[] {2, 2, 1, 1}, 3)).isEqualTo(2);
  }
}
