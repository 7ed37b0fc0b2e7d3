package io.attune.adaptation.method.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.MethodStateCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollapseGuardTest {

  private static final int BATCH = 64;
  private static final CollapseGuard.Config DEFAULTS = CollapseGuard.Config.defaults(10);

  /** Unsure-ish (0.5 on the top class, entropy 1.8 nats) but always the same class. */
  private static final float[] ONE_CLASS = StubMethod.rows(BATCH, 0.5f, r -> 3);
  /** Every class in turn, each prediction certain to 0.9999: entropy near 0. */
  private static final float[] CERTAIN = StubMethod.rows(BATCH, 0.9999f, r -> r % 10);
  /** Every class in turn at 0.8: what a healthy model looks like. */
  private static final float[] HEALTHY = StubMethod.rows(BATCH, 0.8f, r -> r % 10);

  @Test
  void predictionsConcentratedOnOneClassResetTheMethodOnceTheWindowIsFull() {
    StubMethod stub = new StubMethod(v -> ONE_CLASS);
    CollapseGuard guard = new CollapseGuard(stub, StubMethod.LAYOUT, DEFAULTS);

    List<Boolean> resets = run(guard, 25);

    assertThat(resets.indexOf(true)).isEqualTo(DEFAULTS.window() - 1);
    assertThat(resets.subList(DEFAULTS.window(), 2 * DEFAULTS.window() - 1)).containsOnly(false);
    assertThat(resets.get(2 * DEFAULTS.window() - 1)).isTrue();
  }

  @Test
  void certainPredictionsResetTheMethodThroughTheEntropyFloor() {
    CollapseGuard guard = new CollapseGuard(new StubMethod(v -> CERTAIN), StubMethod.LAYOUT,
        DEFAULTS);

    assertThat(run(guard, 10).indexOf(true)).isEqualTo(9);
  }

  @Test
  void aHealthyStreamIsNeverReset() {
    CollapseGuard guard = new CollapseGuard(new StubMethod(v -> HEALTHY), StubMethod.LAYOUT,
        DEFAULTS);

    assertThat(run(guard, 40)).containsOnly(false);
  }

  @Test
  void aResetRestartsTheWrappedMethodWhileVersionsKeepCountingAndPublishesTheSource() {
    StubMethod stub = new StubMethod(v -> ONE_CLASS);
    CollapseGuard guard = new CollapseGuard(stub, StubMethod.LAYOUT, DEFAULTS);
    MethodState state = guard.initialState();
    AdaptationMethod.Step step = null;
    for (int b = 0; b < DEFAULTS.window(); b++) {
      step = guard.step(state, StubMethod.batch(BATCH));
      state = step.state();
    }

    assertThat(step.outputs().diagnostics().reset()).isTrue();
    assertThat(state.version()).isEqualTo(DEFAULTS.window());
    assertThat(state.affine()).containsExactly(StubMethod.LAYOUT.sourceAffine());
    assertThat(state.optimizer().steps()).isZero();
    assertThat(state.extras()).containsOnlyKeys(StubMethod.STEPS);
    assertThat(state.extra(StubMethod.STEPS)).containsExactly(0f);
    assertThat(step.outputs().parameters().get("a.weight")).containsExactly(1f, 2f);
    assertThat(step.outputs().probabilities()).containsExactly(ONE_CLASS);
    assertThat(guard.step(state, StubMethod.batch(BATCH)).outputs().version())
        .isEqualTo(DEFAULTS.window() + 1);
  }

  @Test
  void theWrappedMethodNeverSeesTheGuardsWindow() {
    StubMethod stub = new StubMethod(v -> HEALTHY);
    CollapseGuard guard = new CollapseGuard(stub, StubMethod.LAYOUT, DEFAULTS);

    MethodState state = guard.initialState();
    for (int b = 0; b < 5; b++) {
      state = guard.step(state, StubMethod.batch(BATCH)).state();
    }

    assertThat(state.extras()).containsKeys(CollapseGuard.ENTROPY, CollapseGuard.HISTOGRAM,
        CollapseGuard.CURSOR, StubMethod.STEPS);
    assertThat(stub.extrasSeen).allSatisfy(e -> assertThat(e).containsOnlyKeys(StubMethod.STEPS));
  }

  @Test
  void aWindowSerializedMidStreamJudgesTheRestOfTheStreamIdentically() {
    // One class from version 6 on; with 9 of the 10 pooled batches on it (version 14) the
    // histogram's normalized entropy drops to 0.22: a window restored at 8 must agree.
    CollapseGuard guard = new CollapseGuard(new StubMethod(v -> v < 6 ? HEALTHY : ONE_CLASS),
        StubMethod.LAYOUT, DEFAULTS);
    MethodState state = guard.initialState();
    MethodState copy = null;
    List<Boolean> straight = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      AdaptationMethod.Step step = guard.step(state, StubMethod.batch(BATCH));
      state = step.state();
      straight.add(step.outputs().diagnostics().reset());
      if (b == 7) {
        copy = MethodStateCodec.decode(MethodStateCodec.encode(state));
      }
    }
    List<Boolean> resumed = new ArrayList<>();
    for (int b = 8; b < 20; b++) {
      AdaptationMethod.Step step = guard.step(copy, StubMethod.batch(BATCH));
      copy = step.state();
      resumed.add(step.outputs().diagnostics().reset());
    }

    assertThat(straight.indexOf(true)).isEqualTo(13);
    assertThat(resumed).isEqualTo(straight.subList(8, 20));
    assertThat(copy).isEqualTo(state);
  }

  @Test
  void badHyperparametersAreAllReportedAtOnce() {
    assertThatThrownBy(() -> new CollapseGuard.Config(0, -1f, 1.5f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be >= 1 batch, got 0")
        .hasMessageContaining("entropyFloor must be finite and >= 0 nats, got -1.0")
        .hasMessageContaining("diversityFloor must be in [0, 1], got 1.5");
  }

  private static List<Boolean> run(CollapseGuard guard, int batches) {
    List<Boolean> resets = new ArrayList<>();
    MethodState state = guard.initialState();
    for (int b = 0; b < batches; b++) {
      AdaptationMethod.Step step = guard.step(state, StubMethod.batch(BATCH));
      state = step.state();
      resets.add(step.outputs().diagnostics().reset());
    }
    return resets;
  }
}
