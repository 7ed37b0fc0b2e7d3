package io.attune.adaptation.method.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.MethodStateCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StochasticRestoreTest {

  private static final float[] HEALTHY = StubMethod.rows(8, 0.8f, r -> r % 10);

  @Test
  void restoresAboutTheConfiguredShareOfElements() {
    StochasticRestore restore = restore(0.01f, 7);
    int n = 100_000;

    int restored = count(restore.mask(3, n));

    // Binomial(100000, 0.01): mean 1000, standard deviation 31.5; 5 sigma either side.
    assertThat(restored).isBetween(842, 1158);
  }

  @Test
  void theDrawsDependOnlyOnSeedAndVersion() {
    boolean[] a = restore(0.3f, 7).mask(5, 1000);

    assertThat(restore(0.3f, 7).mask(5, 1000)).containsExactly(a);
    assertThat(restore(0.3f, 7).mask(6, 1000)).isNotEqualTo(a);
    assertThat(restore(0.3f, 8).mask(5, 1000)).isNotEqualTo(a);
  }

  @Test
  void restoredElementsTakeTheSourceValueAndTheOthersKeepTheAdaptedOne() {
    float[] adapted = {10, 20, 30, 40};
    float[] source = {1, 2, 3, 4};

    assertThat(StochasticRestore.restore(adapted, source, new boolean[] {true, false, false,
        true})).containsExactly(1, 20, 30, 4);
  }

  @Test
  void afterEachStepTheStateAndThePublishedParametersAreRestored() {
    StubMethod stub = new StubMethod(v -> HEALTHY);
    StochasticRestore always = restore(1f, 0);
    StochasticRestore never = restore(0f, 0);

    AdaptationMethod.Step all = always.step(always.initialState(), StubMethod.batch(8));
    AdaptationMethod.Step none = never.step(never.initialState(), StubMethod.batch(8));

    assertThat(all.state().affine()).containsExactly(StubMethod.LAYOUT.sourceAffine());
    assertThat(all.outputs().parameters().get("a.weight")).containsExactly(1f, 2f);
    assertThat(all.outputs().parameters().get("b.bias")).containsExactly(0.3f);
    assertThat(none.state().affine()).containsExactly(stub.step(stub.initialState(),
        StubMethod.batch(8)).state().affine());
    assertThat(all.outputs().probabilities()).containsExactly(HEALTHY);
    assertThat(all.state().version()).isEqualTo(1);
  }

  @Test
  void aStateSerializedMidStreamRestoresTheSameElementsAfterwards() {
    StochasticRestore restore = restore(0.2f, 42);
    MethodState state = restore.initialState();
    MethodState copy = null;
    List<float[]> straight = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      state = restore.step(state, StubMethod.batch(8)).state();
      straight.add(state.affine());
      if (b == 4) {
        copy = MethodStateCodec.decode(MethodStateCodec.encode(state));
      }
    }
    for (int b = 5; b < 10; b++) {
      copy = restore.step(copy, StubMethod.batch(8)).state();
      assertThat(copy.affine()).as("batch %d", b).containsExactly(straight.get(b));
    }
    assertThat(copy).isEqualTo(state);
  }

  @Test
  void probabilitiesOutsideTheUnitIntervalAreRefused() {
    assertThatThrownBy(() -> new StochasticRestore.Config(1.5f, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("restore: probability must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> new StochasticRestore.Config(Float.NaN, 0))
        .hasMessageContaining("got NaN");
  }

  private static StochasticRestore restore(float p, long seed) {
    return new StochasticRestore(new StubMethod(v -> HEALTHY), StubMethod.LAYOUT,
        new StochasticRestore.Config(p, seed));
  }

  private static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    return n;
  }
}
