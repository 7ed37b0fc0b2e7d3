package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The publishing guard on hand-made batches: healthy, collapsed, label-shifted, recovering. */
class DriftGuardTest {

  private static final PublishingGuard GUARD = new PublishingGuard(
      PublishingGuard.Config.defaults());

  /**
   * A batch of 64 on three classes.
   *
   * @param adapted the adapted model's predicted-class counts
   * @param source the source model's predicted-class counts
   * @param agreeing of 40 source-confident samples, how many the adapted model agrees with
   */
  static DriftSignals batch(int[] adapted, int[] source, int agreeing, boolean reset) {
    return new DriftSignals(64, 0.002, 0.2, 0.05, 0.1, reset, 1, adapted, source, 40, agreeing,
        agreeing, 50, agreeing);
  }

  static final int[] SPREAD = {22, 21, 21};

  static final int[] COLLAPSED = {64, 0, 0};

  /** Class-sorted batches: the i-th holds only class i mod 3. */
  static int[] sorted(int i) {
    int[] h = new int[3];
    h[i % 3] = 64;
    return h;
  }

  /** A class-sorted stream's batches from {@code from}, the adapted model spread over classes. */
  private static List<DriftSignals> sortedStream(int from, int n, int agreeing) {
    List<DriftSignals> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(batch(SPREAD, sorted(i / 3), agreeing, false));
    }
    return out;
  }

  /** Runs batches; returns, per batch, whether adapted parameters may be published. */
  private static List<Boolean> run(List<DriftSignals> batches) {
    PublishingGuard.State state = GUARD.initialState(3);
    List<Boolean> publish = new ArrayList<>();
    for (DriftSignals b : batches) {
      PublishingGuard.Step step = GUARD.update(state, b);
      state = step.state();
      publish.add(step.publishAdapted());
    }
    return publish;
  }

  private static List<DriftSignals> repeat(DriftSignals b, int n) {
    return new ArrayList<>(java.util.Collections.nCopies(n, b));
  }

  @Test
  void aHealthyAdaptationIsPublishedThroughout() {
    assertThat(run(repeat(batch(SPREAD, SPREAD, 38, false), 100))).containsOnly(true);
  }

  @Test
  void aCollapseOntoOneClassRevertsWithinAFewBatchesAndStaysReverted() {
    List<DriftSignals> stream = repeat(batch(SPREAD, SPREAD, 38, false), 20);
    // collapsed: one class predicted, agreeing only where the source says that class
    stream.addAll(repeat(batch(COLLAPSED, SPREAD, 13, false), 40));

    List<Boolean> publish = run(stream);

    assertThat(publish.subList(0, 20)).containsOnly(true);
    int firstReverted = publish.indexOf(false);
    // the pooled diversity halves about 9 batches into an abrupt collapse (half-life 5)
    assertThat(firstReverted - 20).as("batches into the collapse").isBetween(0, 10);
    assertThat(publish.subList(firstReverted, 60)).containsOnly(false);
  }

  @Test
  void onClassSortedBatchesDisagreeingWithTheConfidentSourceReverts() {
    List<DriftSignals> stream = repeat(batch(SPREAD, SPREAD, 38, false), 10);
    // TENT on class-sorted batches: diverse predictions, mostly not the source's sure ones
    stream.addAll(sortedStream(0, 20, 12));

    List<Boolean> publish = run(stream);

    assertThat(publish.subList(0, 10)).containsOnly(true);
    int reverted = publish.indexOf(false);
    assertThat(reverted - 10).isBetween(0, 5);
    assertThat(publish.subList(reverted, 30)).containsOnly(false);
  }

  @Test
  void aLongRunOfOneClassDisagreeingWithTheConfidentSourceReverts() {
    // the first 1,000 samples of a class-sorted stream: one class, the same in every batch, so
    // the mixture does not vary, but the source's predictions concentrate on it (KL 2 nats)
    DriftSignals oneClass = new DriftSignals(64, 0.002, 0.2, 2.0, 0.1, false, 1, SPREAD,
        COLLAPSED, 40, 12, 12, 50, 12);

    List<Boolean> publish = run(repeat(oneClass, 15));

    assertThat(publish.indexOf(false)).isBetween(0, 2);
    assertThat(publish.subList(2, 15)).containsOnly(false);
  }

  @Test
  void onIidBatchesDisagreeingWithTheConfidentSourceIsTheSourcesMistake() {
    // a heavy covariate shift: the source is sure and wrong, the adapted model diverse and right
    assertThat(run(repeat(batch(SPREAD, SPREAD, 12, false), 50))).containsOnly(true);
  }

  @Test
  void aStreamThatHoldsFewClassesIsNotMistakenForACollapse() {
    // label shift: the source sees one class too, and the adapted model agrees with it
    assertThat(run(repeat(batch(COLLAPSED, COLLAPSED, 39, false), 50))).containsOnly(true);
    List<DriftSignals> sortedAgreeing = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sortedAgreeing.add(batch(sorted(i / 3), sorted(i / 3), 39, false));
    }
    assertThat(run(sortedAgreeing)).containsOnly(true);
  }

  @Test
  void recoveryResumesOnceAndOnlyAboveTheStricterLevel() {
    List<DriftSignals> stream = sortedStream(0, 20, 10);
    // 75% agreement: above the floor (70%) but below the resume level (80%): stays reverted
    stream.addAll(sortedStream(20, 30, 30));
    stream.addAll(sortedStream(50, 30, 38));

    List<Boolean> publish = run(stream);

    int reverted = publish.indexOf(false);
    assertThat(reverted).isBetween(0, 6);
    assertThat(publish.subList(reverted, 50)).containsOnly(false);
    int resumed = publish.subList(50, 80).indexOf(true);
    assertThat(resumed).isBetween(0, 10);
    assertThat(publish.subList(50 + resumed, 80)).containsOnly(true);
  }

  @Test
  void repeatedResetsRevert() {
    List<DriftSignals> stream = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      stream.add(batch(SPREAD, SPREAD, 38, i % 2 == 0));
    }

    assertThat(run(stream)).contains(false);
  }

  @Test
  void theReasonNamesTheFailingCheckWithItsNumbers() {
    PublishingGuard.State state = GUARD.initialState(3);
    PublishingGuard.Step step = null;
    for (DriftSignals b : sortedStream(0, 20, 12)) {
      step = GUARD.update(state, b);
      state = step.state();
      if (step.changed()) {
        break;
      }
    }

    assertThat(step.changed()).isTrue();
    assertThat(step.publishAdapted()).isFalse();
    assertThat(step.reason()).startsWith("the adapted model agrees with only 30% of the "
        + "source's confident predictions (floor 70%) on non-i.i.d. batches (class mixing 0.");

    PublishingGuard.Step collapse = GUARD.update(GUARD.initialState(3),
        batch(COLLAPSED, SPREAD, 38, false));
    assertThat(collapse.reason()).isEqualTo("its predicted classes are 0.00 as diverse as the "
        + "source's (floor 0.50)");
  }

  /**
   * A batch of 64 of one class (the source's predictions concentrate on it, KL 2 nats from the
   * prior: not i.i.d.) judged by each model's own confidence: the adapted model agrees with all
   * of the source's confident samples (so the agreement check passes), diverse predictions.
   *
   * @param adaptedConfident samples the adapted model is sure of
   * @param sourceConfident samples the source model is sure of
   */
  static DriftSignals estimating(int adaptedConfident, int sourceConfident) {
    return estimating(adaptedConfident, sourceConfident, false);
  }

  /** As {@link #estimating}, but an i.i.d. batch: both models spread over the classes. */
  static DriftSignals estimatingIid(int adaptedConfident, int sourceConfident) {
    return estimating(adaptedConfident, sourceConfident, true);
  }

  private static DriftSignals estimating(int adaptedConfident, int sourceConfident,
      boolean iid) {
    return new DriftSignals(64, 0.002, 0.2, iid ? 0.05 : 2.0, 0.1, false, 1, SPREAD,
        iid ? SPREAD : COLLAPSED, sourceConfident, sourceConfident, sourceConfident,
        adaptedConfident, Math.min(adaptedConfident, sourceConfident));
  }

  @Test
  void onIidBatchesTheEstimateGapIsNotJudged() {
    // uploads chosen by the confidence of the model the devices run (CEMA's filter) while they
    // run the source: the source looks 25 pp surer, whatever the two models' accuracies
    assertThat(run(repeat(estimatingIid(30, 46), 40))).containsOnly(true);
  }

  @Test
  void batchesOfOneClassOpenTheNonIidGateAndIidBatchesCloseItAgain() {
    PublishingGuard.State state = GUARD.initialState(3);
    state = GUARD.update(state, estimating(30, 30)).state();
    assertThat(GUARD.nonIid(state)).as("one class: concentration 2 nats").isTrue();
    for (DriftSignals b : repeat(estimatingIid(30, 30), 15)) {
      state = GUARD.update(state, b).state();
    }
    // the held concentration halves every 5 batches: 2 nats fall below 1.2 after 4
    assertThat(state.concentration()).isLessThan(1.2);
    assertThat(GUARD.nonIid(state)).isFalse();
  }

  @Test
  void afterAnEstimateRevertIidBatchesWithABiasedGapDoNotHoldTheRevert() {
    // reverted on a class-sorted stretch; then i.i.d. uploads chosen by the source's confidence
    // (the devices now run the source), on which the source keeps looking surer
    List<DriftSignals> stream = repeat(estimating(2, 27), 10);
    stream.addAll(repeat(estimatingIid(30, 46), 40));

    List<Boolean> publish = run(stream);

    assertThat(publish.subList(0, 10)).contains(false);
    // the concentration held from the sorted stretch decays (half-life 5) below its floor
    int resumed = publish.subList(10, 50).indexOf(true);
    assertThat(resumed).isBetween(0, 15);
    assertThat(publish.subList(10 + resumed, 50)).containsOnly(true);
  }

  @Test
  void anAdaptedModelLessSureThanTheSourceByMoreThanTheMarginReverts() {
    // clean: both sure of 58 of 64; then TENT on a class-sorted batch: sure of 2, the source 27
    List<DriftSignals> stream = repeat(estimating(58, 58), 20);
    stream.addAll(repeat(estimating(2, 27), 10));

    List<Boolean> publish = run(stream);

    assertThat(publish.subList(0, 20)).containsOnly(true);
    // pooled (half-life 5) over about 7.5 batches, a gap of 39 pp a batch passes 5 pp at once
    assertThat(publish.indexOf(false)).isBetween(20, 21);
    assertThat(publish.subList(20, 30)).containsOnly(false);
  }

  @Test
  void aGapWithinTheMarginKeepsPublishing() {
    // the adapted model 3 pp less sure than the source (2 of 64) throughout: within 5 pp
    assertThat(run(repeat(estimating(56, 58), 60))).containsOnly(true);
    // more sure than the source, as healthy TENT is under every severity-5 corruption
    assertThat(run(repeat(estimating(55, 30), 60))).containsOnly(true);
  }

  @Test
  void estimatesAreComparedOnlyOnceTheWindowHoldsEnoughSamples() {
    // two batches (120 weighted samples, fewer than the 160 needed) far apart do not revert;
    // a third (168) does
    List<DriftSignals> stream = repeat(estimating(10, 50), 3);

    List<Boolean> publish = run(stream);

    assertThat(publish).containsExactly(true, true, false);
  }

  @Test
  void afterAnEstimateRevertItResumesOnlyWhenTheGapIsBackWithinTheResumeLevel() {
    List<DriftSignals> stream = repeat(estimating(58, 58), 10);
    stream.addAll(repeat(estimating(5, 40), 10));
    // 4.7 pp below (3 of 64): within the 5 pp margin but not the 2 pp resume level
    stream.addAll(repeat(estimating(55, 58), 30));
    stream.addAll(repeat(estimating(58, 58), 30));

    List<Boolean> publish = run(stream);

    assertThat(publish.subList(0, 10)).containsOnly(true);
    assertThat(publish.subList(10, 50)).containsOnly(false);
    int resumed = publish.subList(50, 80).indexOf(true);
    assertThat(resumed).isBetween(0, 10);
    assertThat(publish.subList(50 + resumed, 80)).containsOnly(true);
  }

  @Test
  void theEstimateReasonNamesTheGap() {
    PublishingGuard.State state = GUARD.initialState(3);
    PublishingGuard.Step step = null;
    for (DriftSignals b : repeat(estimating(0, 32), 3)) {
      step = GUARD.update(state, b);
      state = step.state();
    }

    assertThat(step.changed()).isTrue();
    assertThat(step.reason()).isEqualTo("its estimated accuracy is 50.0 pp below the "
        + "source's (margin 5.0 pp)");
    assertThat(state.estimateGap()).isEqualTo(-0.5);
  }

  @Test
  void everyBadParameterIsReportedAtOnce() {
    assertThatThrownBy(() -> new PublishingGuard.Config(0, -1, 2, 0.5, 0.9, 0.5, 0, -1, -1))
        .hasMessageContaining("halfLife").hasMessageContaining("minConfident")
        .hasMessageContaining("agreementFloor").hasMessageContaining("diversityResume")
        .hasMessageContaining("resetLimit").hasMessageContaining("mixingFloor")
        .hasMessageContaining("concentrationFloor");
    assertThatThrownBy(() -> new PublishingGuard.Config(5, 64, 0.7, 0.8, 0.5, 0.67, 2, 0.3,
        1.2, 1.5, 0.1, -1)).hasMessageContaining("estimateMargin")
        .hasMessageContaining("minSamples");
  }
}
