package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.drift.ChangeDetector.Phase;
import io.attune.adaptation.drift.ChangeDetector.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The CUSUM detector on hand-made sequences: step, ramp, spike, noise only, lingering levels. */
class DriftDetectorTest {

  /** The monitor's defaults: warm-up 20, slack 1.25, raise at 3.5, clip 4, resolve 0.75 / 1.5. */
  private static final ChangeDetector.Config CONFIG = new ChangeDetector.Config(20, 1.25, 3.5,
      0.75, 1.5, 4, 0.01);

  /** One transition and the value index (0-based) that caused it. */
  record Event(int index, Transition transition) {}

  private static List<Event> run(ChangeDetector.Config config, int n,
      IntToDoubleFunction values) {
    ChangeDetector detector = new ChangeDetector(config);
    ChangeDetector.State state = detector.initialState();
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ChangeDetector.Step step = detector.update(state, values.applyAsDouble(i));
      state = step.state();
      if (step.transition() != null) {
        events.add(new Event(i, step.transition()));
      }
    }
    return events;
  }

  /** Standard normal noise, seeded: the value at index i is the same in every call. */
  private static IntToDoubleFunction noise(long seed, int n) {
    Random random = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextGaussian();
    }
    return i -> v[i];
  }

  @Test
  void stationaryNoiseRaisesRarely() {
    // the price of raising a 2.5-sigma shift within 3 values: an in-control run length of
    // the order of 10^4 values (Siegmund: 37,000 with a known baseline; shorter with one
    // learnt from 20 values)
    int raised = 0;
    for (long seed = 1; seed <= 10; seed++) {
      IntToDoubleFunction noise = noise(seed, 2000);
      raised += (int) run(CONFIG, 2000, noise).stream()
          .filter(e -> e.transition() == Transition.RAISED).count();
    }

    assertThat(raised).as("raises in 10 x 2,000 values").isEqualTo(1);
  }

  @Test
  void aStepOfTwoAndAHalfSigmaIsRaisedOnItsThirdValue() {
    ChangeDetector detector = new ChangeDetector(CONFIG);
    ChangeDetector.State state = detector.initialState();
    for (int i = 0; i < 20; i++) {
      state = detector.update(state, i % 2 == 0 ? 1 : -1).state();
    }
    double sigma = state.sigma();
    List<Transition> transitions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ChangeDetector.Step step = detector.update(state, 2.45 * sigma);
      state = step.state();
      transitions.add(step.transition());
    }

    // 1.2 a value: 3.6 > 3.5 after three, as speckle_noise:3 (2.4 to 2.7 sigma) needs
    assertThat(transitions).containsExactly(null, null, Transition.RAISED);
  }

  @Test
  void heavyTailedNoiseWithOccasionalOutliersRaisesNothing() {
    IntToDoubleFunction noise = noise(7, 3000);
    // every 50th value is a 30-sigma outlier: clipped at 4, one alone cannot reach 5
    List<Event> events = run(CONFIG, 3000, i -> noise.applyAsDouble(i) + (i % 50 == 49 ? 30
        : 0));

    assertThat(events).isEmpty();
  }

  @Test
  void aLargeStepIsRaisedOnItsSecondValueAndResolvedOnceItEnds() {
    IntToDoubleFunction noise = noise(3, 200);
    // 40 clean, 30 shifted by 10 sigma, clean again
    List<Event> events = run(CONFIG, 200, i -> noise.applyAsDouble(i)
        + (i >= 40 && i < 70 ? 10 : 0));

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isEqualTo(new Event(41, Transition.RAISED));
    assertThat(events.get(1).transition()).isEqualTo(Transition.RESOLVED);
    // back at the baseline, R grows by about 0.75 a value and resolves above 1.5
    assertThat(events.get(1).index()).isBetween(70, 78);
  }

  @Test
  void aThreeSigmaStepIsRaisedWithinThreeValues() {
    for (long seed = 1; seed <= 20; seed++) {
      IntToDoubleFunction noise = noise(seed, 100);
      List<Event> events = run(CONFIG, 100, i -> noise.applyAsDouble(i) * 0.3
          + (i >= 40 ? 3 : 0));

      assertThat(events).as("seed %d", seed).isNotEmpty();
      assertThat(events.get(0).transition()).isEqualTo(Transition.RAISED);
      assertThat(events.get(0).index() - 40 + 1).as("delay, seed %d", seed).isBetween(1, 3);
      assertThat(events).as("a persistent shift stays raised").hasSize(1);
    }
  }

  @Test
  void aRampIsRaisedOnceWhileStillRising() {
    IntToDoubleFunction noise = noise(11, 300);
    // from 0 to 10 sigma over 100 values after the warm-up, then held
    List<Event> events = run(CONFIG, 300, i -> noise.applyAsDouble(i)
        + Math.max(0, Math.min(10, (i - 30) / 10.0)));

    assertThat(events).hasSize(1);
    assertThat(events.get(0).transition()).isEqualTo(Transition.RAISED);
    assertThat((events.get(0).index() - 30) / 10.0).as("level when raised, sigma")
        .isLessThan(3.5);
  }

  @Test
  void aNoisyStepDoesNotFlap() {
    // a shift of 2.5 sigma in noise of 1 sigma: values dip below the baseline now and then
    IntToDoubleFunction noise = noise(5, 600);
    List<Event> events = run(CONFIG, 600, i -> noise.applyAsDouble(i)
        + (i >= 100 && i < 400 ? 2.5 : 0));

    assertThat(events).extracting(Event::transition)
        .containsExactly(Transition.RAISED, Transition.RESOLVED);
    assertThat(events.get(1).index()).isGreaterThanOrEqualTo(400);
  }

  @Test
  void aLevelBetweenTheResolveAndRaiseSlacksKeepsWhateverStateItFinds() {
    IntToDoubleFunction noise = noise(9, 1000);
    ChangeDetector detector = new ChangeDetector(CONFIG);
    ChangeDetector.State state = detector.initialState();
    for (int i = 0; i < 20; i++) {
      state = detector.update(state, noise.applyAsDouble(i)).state();
    }
    List<Transition> transitions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ChangeDetector.Step step = detector.update(state, state.baseline() + 10 * state.sigma());
      state = step.state();
      transitions.add(step.transition());
    }
    // then 1000 values steady at 1 deviation, between resolveSlack 0.75 and slack 1.25
    double level = state.baseline() + state.sigma();
    for (int i = 0; i < 1000; i++) {
      ChangeDetector.Step step = detector.update(state, level);
      state = step.state();
      transitions.add(step.transition());
    }

    assertThat(transitions.stream().filter(t -> t != null)).containsExactly(Transition.RAISED);
    assertThat(state.phase()).isEqualTo(Phase.ALARM);
  }

  @Test
  void nothingIsRaisedDuringWarmupAndTheBaselineIsItsMeanAndDeviation() {
    ChangeDetector detector = new ChangeDetector(CONFIG);
    ChangeDetector.State state = detector.initialState();
    for (int i = 0; i < 20; i++) {
      ChangeDetector.Step step = detector.update(state, i % 2 == 0 ? 100 : 102);
      assertThat(step.transition()).isNull();
      state = step.state();
    }

    assertThat(state.phase()).isEqualTo(Phase.WATCHING);
    assertThat(state.baseline()).isCloseTo(101, within(1e-12));
    // sample standard deviation of ten 100s and ten 102s, sqrt(20 / 19), at its upper 90%
    // confidence limit: sqrt(19 / chi2_0.1(19)), chi2_0.1(19) = 11.651
    assertThat(state.sigma()).isCloseTo(Math.sqrt(20.0 / 19) * Math.sqrt(19 / 11.651),
        within(1e-3));
  }

  @Test
  void aConstantWarmupUsesTheDeviationFloor() {
    ChangeDetector detector = new ChangeDetector(CONFIG);
    ChangeDetector.State state = detector.initialState();
    for (int i = 0; i < 20; i++) {
      state = detector.update(state, 1.0).state();
    }

    assertThat(state.sigma()).isEqualTo(0.01);
    // 1.028 is 2.8 sigma above: raised on the third value (1.55 per value, > 3.5 after 3)
    List<Transition> transitions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ChangeDetector.Step step = detector.update(state, 1.028);
      state = step.state();
      transitions.add(step.transition());
    }
    assertThat(transitions).containsExactly(null, null, Transition.RAISED);
    assertThat(state.alarmSince()).isEqualTo(22);
  }

  @Test
  void missingValuesAreSkipped() {
    ChangeDetector detector = new ChangeDetector(CONFIG);
    ChangeDetector.State state = detector.initialState();

    ChangeDetector.Step step = detector.update(state, Double.NaN);

    assertThat(step.state()).isEqualTo(state);
    assertThat(step.transition()).isNull();
  }

  @Test
  void everyBadParameterIsReportedAtOnce() {
    assertThatThrownBy(() -> new ChangeDetector.Config(1, 0, -1, 2, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmup must be >= 2")
        .hasMessageContaining("slack must be > 0")
        .hasMessageContaining("raiseThreshold must be > 0")
        .hasMessageContaining("resolveSlack must be <= slack")
        .hasMessageContaining("resolveThreshold must be > 0")
        .hasMessageContaining("clip must be > slack")
        .hasMessageContaining("minSigma must be > 0");
  }
}
