package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.drift.ChangeDetector.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A cohort's monitor over hand-made signal sequences: lifecycle, events, bytes. */
class DriftMonitorTest {

  private static final DriftMonitor MONITOR = new DriftMonitor(DriftMonitor.Config.defaults(),
      3);

  /**
   * Clean batches have statistics divergence about 0.002, entropy about 0.2 and class
   * divergence about 0.05, with multiplicative noise; shifted batches (from {@code shiftFrom}
   * to {@code shiftTo}) 0.07, 0.9 and 0.3.
   */
  static List<DriftSignals> stream(int n, int shiftFrom, int shiftTo, long seed) {
    Random random = new Random(seed);
    List<DriftSignals> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean shifted = i >= shiftFrom && i < shiftTo;
      double noise = Math.exp(0.3 * random.nextGaussian());
      out.add(new DriftSignals(64, (shifted ? 0.07 : 0.002) * noise,
          (shifted ? 0.9 : 0.2) + 0.03 * random.nextGaussian(),
          (shifted ? 0.3 : 0.05) * Math.exp(0.3 * random.nextGaussian()), 0.1, false, 1,
          new int[] {22, 21, 21}, new int[] {22, 21, 21}, 40, 38, 60, shifted ? 55 : 60,
          shifted ? 30 : 55));
    }
    return out;
  }

  private static List<DriftEvent> events(List<DriftSignals> stream) {
    return run(stream, false);
  }

  private static List<DriftEvent> transitions(List<DriftSignals> stream) {
    return run(stream, true);
  }

  private static List<DriftEvent> run(List<DriftSignals> stream, boolean transitions) {
    DriftMonitor.State state = MONITOR.initialState();
    List<DriftEvent> events = new ArrayList<>();
    for (DriftSignals s : stream) {
      DriftMonitor.Update u = MONITOR.update(state, s);
      state = u.state();
      events.addAll(transitions ? u.transitions() : u.events());
    }
    return events;
  }

  @Test
  void aShiftRaisesOneDataDriftAlertAndResolvesItOnceEverySignalIsBack() {
    // seed 2: with seed 1 the entropy detector raises a second time, a false alarm on the
    // clean batches after the shift (the rate is cleanDataRaisesRarely's)
    List<DriftSignals> stream = stream(120, 40, 70, 2);
    List<DriftEvent> events = events(stream);
    List<DriftEvent> transitions = transitions(stream);

    assertThat(events).extracting(DriftEvent::signal, DriftEvent::transition).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Signal.DATA_DRIFT, Transition.RAISED),
        org.assertj.core.groups.Tuple.tuple(Signal.DATA_DRIFT, Transition.RESOLVED));
    for (Signal signal : Signal.DETECTED) {
      List<DriftEvent> mine = transitions.stream().filter(e -> e.signal() == signal).toList();
      assertThat(mine).as(signal.label()).extracting(DriftEvent::transition)
          .containsExactly(Transition.RAISED, Transition.RESOLVED);
      assertThat(mine.get(0).batch()).as(signal.label()).isBetween(41L, 42L);
      assertThat(mine.get(1).batch()).as(signal.label()).isBetween(70L, 80L);
      assertThat(mine.get(1).firstBatch()).isEqualTo(mine.get(0).batch());
    }
    long firstRaise = transitions.stream().mapToLong(DriftEvent::batch).min().orElseThrow();
    long lastResolve = transitions.stream().mapToLong(DriftEvent::batch).max().orElseThrow();
    assertThat(events.get(0).batch()).isEqualTo(firstRaise);
    assertThat(events.get(1).batch()).isEqualTo(lastResolve);
    assertThat(events.get(1).firstBatch()).isEqualTo(firstRaise);
  }

  @Test
  void aSignalThatCalmsWhileAnotherStaysHighKeepsTheOneAlertOpen() {
    // the statistics stay shifted from batch 40 to 100; entropy and class prior only to 55
    Random random = new Random(5);
    List<DriftSignals> stream = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      boolean statistics = i >= 40 && i < 100;
      boolean output = i >= 40 && i < 55;
      stream.add(new DriftSignals(64, (statistics ? 0.07 : 0.002)
          * Math.exp(0.3 * random.nextGaussian()),
          (output ? 0.9 : 0.2) + 0.03 * random.nextGaussian(),
          (output ? 0.3 : 0.05) * Math.exp(0.3 * random.nextGaussian()), 0.1, false, 1,
          new int[] {22, 21, 21}, new int[] {22, 21, 21}, 40, 38, 60, 55, 30));
    }

    List<DriftEvent> events = events(stream);
    List<DriftEvent> entropy = transitions(stream).stream()
        .filter(e -> e.signal() == Signal.ENTROPY).toList();

    assertThat(entropy).extracting(DriftEvent::transition)
        .containsExactly(Transition.RAISED, Transition.RESOLVED);
    assertThat(entropy.get(1).batch()).isBetween(55L, 70L);
    assertThat(events).extracting(DriftEvent::transition)
        .containsExactly(Transition.RAISED, Transition.RESOLVED);
    assertThat(events.get(1).batch()).isGreaterThanOrEqualTo(100);
    assertThat(events.get(1).summary()).startsWith("data drift over: statistics divergence "
        + "back to");
  }

  @Test
  void cleanDataRaisesRarely() {
    // 5 x 1,000 clean batches, 3 signals each (see DriftDetectorTest.stationaryNoiseRaisesRarely)
    long raised = 0;
    for (long seed = 1; seed <= 5; seed++) {
      raised += events(stream(1000, 1000, 1000, seed)).stream()
          .filter(e -> e.transition() == Transition.RAISED).count();
    }

    assertThat(raised).as("data-drift alerts in 5,000 batches of 3 signals").isEqualTo(4);
  }

  @Test
  void anEventSaysWhatHappenedInNumbers() {
    DriftEvent raised = events(stream(60, 40, 60, 2)).get(0);

    assertThat(raised.signal()).isEqualTo(Signal.DATA_DRIFT);
    assertThat(raised.transition()).isEqualTo(Transition.RAISED);
    assertThat(raised.threshold()).isEqualTo(3.5);
    assertThat(raised.score()).isGreaterThan(3.5);
    assertThat(raised.baseline()).isCloseTo(0.002, within(0.0005));
    assertThat(raised.summary()).startsWith("data drift: statistics divergence rose to 0.0")
        .contains("from a baseline of 0.00").contains("at batch " + raised.batch())
        .contains("> 3.5").contains("estimated accuracy: adapted");
    assertThat(raised.estimates().adapted()).isBetween(0.85, 0.95);
  }

  @Test
  void estimatesPoolTheRecentBatches() {
    DriftMonitor.State state = MONITOR.initialState();
    DriftMonitor.Update u = null;
    for (DriftSignals s : stream(100, 0, 100, 3)) {
      u = MONITOR.update(state, s);
      state = u.state();
    }

    // every shifted batch: 55 of 64 adapted-confident, 30 of 64 judged right for the source
    assertThat(u.estimates().adapted()).isCloseTo(55 / 64.0, within(1e-9));
    assertThat(u.estimates().source()).isCloseTo(30 / 64.0, within(1e-9));
  }

  @Test
  void aStateRestoredFromBytesContinuesIdentically() {
    List<DriftSignals> stream = stream(150, 40, 70, 4);
    DriftMonitor.State straight = MONITOR.initialState();
    DriftMonitor.State restored = MONITOR.initialState();
    List<DriftEvent> a = new ArrayList<>();
    List<DriftEvent> b = new ArrayList<>();
    for (DriftSignals s : stream) {
      DriftMonitor.Update u = MONITOR.update(straight, s);
      straight = u.state();
      a.addAll(u.events());
      DriftMonitor.Update v = MONITOR.update(
          MonitorStateCodec.decode(MonitorStateCodec.encode(restored)), s);
      restored = v.state();
      b.addAll(v.events());
      assertThat(MonitorStateCodec.encode(restored)).isEqualTo(MonitorStateCodec.encode(straight));
    }
    assertThat(b).isEqualTo(a);
    assertThat(MonitorStateCodec.decode(MonitorStateCodec.encode(straight)))
        .usingRecursiveComparison().isEqualTo(straight);
  }

  @Test
  void aFormatOneStateWithoutTheEstimateWindowStillDecodes() {
    DriftMonitor.State state = MONITOR.initialState();
    for (DriftSignals s : stream(30, 10, 10, 4)) {
      state = MONITOR.update(state, s).state();
    }
    byte[] two = formatTwo(state);
    // format 1: no guard samples and adapted-confident count (16 bytes before the last 32)
    byte[] one = new byte[two.length - 16];
    System.arraycopy(two, 0, one, 0, two.length - 48);
    System.arraycopy(two, two.length - 32, one, two.length - 48, 32);
    java.nio.ByteBuffer.wrap(one).putInt(4, 1);

    DriftMonitor.State decoded = MonitorStateCodec.decode(one);

    PublishingGuard.State g = state.guard();
    assertThat(g.samples()).isGreaterThan(300);
    assertThat(decoded.guard()).isEqualTo(new PublishingGuard.State(g.confident(),
        g.agreements(), g.adaptedClasses(), g.sourceClasses(), g.resets(), g.mixing(),
        g.concentration(), g.reverted()));
    assertThat(decoded.guard().samples()).isZero();
    assertThat(decoded.batches()).isEqualTo(state.batches());
    assertThat(decoded.estimates()).isEqualTo(state.estimates());
  }

  /** Format 3 less the data-drift episode's start and the calibration, the last 16 bytes. */
  private static byte[] formatTwo(DriftMonitor.State state) {
    byte[] three = MonitorStateCodec.encode(state);
    byte[] two = java.util.Arrays.copyOf(three, three.length - 16);
    java.nio.ByteBuffer.wrap(two).putInt(4, 2);
    return two;
  }

  @Test
  void aFormatTwoStateInfersTheOpenDataDriftAlertFromItsDetectors() {
    DriftMonitor.State state = MONITOR.initialState();
    for (DriftSignals s : stream(60, 40, 60, 2)) {
      state = MONITOR.update(state, s).state();
    }
    assertThat(state.driftSince()).isBetween(41L, 42L);

    DriftMonitor.State decoded = MonitorStateCodec.decode(formatTwo(state));

    assertThat(decoded).usingRecursiveComparison().isEqualTo(state);
  }

  @Test
  void bytesThatAreNotAStateAreRejectedWithAReason() {
    byte[] good = MonitorStateCodec.encode(MONITOR.initialState());
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);

    assertThatThrownBy(() -> MonitorStateCodec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .hasMessageContaining("bad magic");
    assertThatThrownBy(() -> MonitorStateCodec.decode(truncated))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> MonitorStateCodec.decode(trailing))
        .hasMessageContaining("trailing");
  }

  @Test
  void aCollapseRaisesAdaptationHealthAndStopsPublishingAdaptedParameters() {
    DriftMonitor.State state = MONITOR.initialState();
    List<DriftEvent> events = new ArrayList<>();
    boolean publish = true;
    for (int i = 0; i < 40; i++) {
      DriftSignals s = i < 25 ? DriftGuardTest.batch(DriftGuardTest.SPREAD,
          DriftGuardTest.SPREAD, 38, false) : DriftGuardTest.batch(DriftGuardTest.COLLAPSED,
          DriftGuardTest.SPREAD, 12, false);
      DriftMonitor.Update u = MONITOR.update(state, s);
      state = u.state();
      events.addAll(u.events());
      publish = u.publishAdapted();
    }

    assertThat(publish).isFalse();
    assertThat(state.openAlerts()).contains(Signal.ADAPTATION_HEALTH);
    List<DriftEvent> health = events.stream()
        .filter(e -> e.signal() == Signal.ADAPTATION_HEALTH).toList();
    assertThat(health).hasSize(1);
    assertThat(health.get(0).transition()).isEqualTo(Transition.RAISED);
    assertThat(health.get(0).summary()).startsWith("publishing the source parameters at batch");
  }

  @Test
  void aRecoveredAdaptationResolvesTheHealthAlertAndPublishesAdaptedParametersAgain() {
    DriftMonitor.State state = MONITOR.initialState();
    List<DriftEvent> events = new ArrayList<>();
    List<Boolean> published = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      boolean collapsed = i >= 25 && i < 40;
      DriftSignals s = collapsed ? DriftGuardTest.batch(DriftGuardTest.COLLAPSED,
          DriftGuardTest.SPREAD, 12, false) : DriftGuardTest.batch(DriftGuardTest.SPREAD,
          DriftGuardTest.SPREAD, 38, false);
      DriftMonitor.Update u = MONITOR.update(state, s);
      state = u.state();
      events.addAll(u.events());
      published.add(u.publishAdapted());
    }

    List<DriftEvent> health = events.stream()
        .filter(e -> e.signal() == Signal.ADAPTATION_HEALTH).toList();
    assertThat(health).extracting(DriftEvent::transition)
        .containsExactly(Transition.RAISED, Transition.RESOLVED);
    assertThat(health.get(1).firstBatch()).isEqualTo(health.get(0).batch());
    assertThat(health.get(1).summary()).startsWith("publishing adapted parameters again");
    assertThat(published.get(79)).isTrue();
    int reverted = (int) health.get(0).batch();
    int resumed = (int) health.get(1).batch();
    assertThat(reverted).isBetween(26, 39);
    assertThat(published.subList(0, reverted)).containsOnly(true);
    assertThat(published.subList(reverted, resumed)).containsOnly(false);
    assertThat(published.subList(resumed, 80)).containsOnly(true);
    assertThat(state.openAlerts()).doesNotContain(Signal.ADAPTATION_HEALTH);
  }

  @Test
  void theConfigMustCoverExactlyTheDetectedSignals() {
    assertThatThrownBy(() -> new DriftMonitor.Config(java.util.Map.of(),
        PublishingGuard.Config.defaults(), 0, 0, 0))
        .hasMessageContaining("detectors must configure exactly")
        .hasMessageContaining("estimateHalfLife must be > 0")
        .hasMessageContaining("recalibrateEvery must be >= 1")
        .hasMessageContaining("calibrationImages must be >= 1");
  }
}
