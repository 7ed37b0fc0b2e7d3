package io.attune.adaptation.method.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Each optimizer against steps computed by hand (the numbers PyTorch's optimizers give). */
class OptimizersTest {

  @Test
  void sgdWithMomentumStartsFromTheGradientThenAccumulates() {
    Sgd sgd = new Sgd(0.1f, 0.9f, 0f, 0f, false);
    Optimizer.Update first = sgd.step(new float[] {1f}, new float[] {2f}, sgd.initialState(1));
    // b1 = g = 2; p1 = 1 - 0.1*2 = 0.8
    assertThat(first.params()[0]).isCloseTo(0.8f, within(1e-7f));
    Optimizer.Update second = sgd.step(first.params(), new float[] {1f}, first.state());
    // b2 = 0.9*2 + 1 = 2.8; p2 = 0.8 - 0.28 = 0.52
    assertThat(second.params()[0]).isCloseTo(0.52f, within(1e-6f));
    assertThat(second.state().steps()).isEqualTo(2);
  }

  @Test
  void sgdWeightDecayAndNesterovFollowPyTorch() {
    Sgd sgd = new Sgd(0.1f, 0.5f, 0f, 0.01f, true);
    Optimizer.Update u = sgd.step(new float[] {2f}, new float[] {1f}, sgd.initialState(1));
    // g = 1 + 0.01*2 = 1.02; b = 1.02; d = g + 0.5*b = 1.53; p = 2 - 0.153 = 1.847
    assertThat(u.params()[0]).isCloseTo(1.847f, within(1e-6f));
  }

  @Test
  void adamCorrectsTheBiasOfItsMoments() {
    Adam adam = new Adam(0.01f, 0.9f, 0.999f, 1e-8f, 0f);
    Optimizer.Update first = adam.step(new float[] {1f}, new float[] {0.5f},
        adam.initialState(1));
    // m = 0.05, v = 0.00025; mhat = 0.5, vhat = 0.25; p = 1 - 0.01 * 0.5/(0.5 + 1e-8)
    assertThat(first.params()[0]).isCloseTo(0.99f, within(1e-6f));
    Optimizer.Update second = adam.step(first.params(), new float[] {-1f}, first.state());
    // m = 0.045 - 0.1 = -0.055; v = 0.00024975 + 0.001 = 0.00124975
    // mhat = -0.055/0.19 = -0.289474; vhat = 0.00124975/0.001999 = 0.625188
    // p = 0.99 + 0.01 * 0.289474/0.790688 = 0.993661
    assertThat(second.params()[0]).isCloseTo(0.993661f, within(2e-6f));
  }

  @Test
  void aStepChangesNeitherItsInputsNorTheOldState() {
    Adam adam = Adam.withLearningRate(0.1f);
    float[] params = {1f, 2f};
    Optimizer.OptimizerState before = adam.initialState(2);
    adam.step(params, new float[] {1f, 1f}, before);
    assertThat(params).containsExactly(1f, 2f);
    assertThat(before).isEqualTo(adam.initialState(2));
  }

  @Test
  void invalidHyperparametersAreRejectedWithTheValue() {
    assertThatThrownBy(() -> new Sgd(0f, 0.9f, 0f, 0f, false))
        .hasMessage("SGD lr must be positive, got 0.0");
    assertThatThrownBy(() -> new Sgd(0.1f, 1f, 0f, 0f, false))
        .hasMessageContaining("momentum must be in [0, 1)");
    assertThatThrownBy(() -> new Sgd(0.1f, 0f, 0f, 0f, true))
        .hasMessageContaining("Nesterov");
    assertThatThrownBy(() -> new Adam(1e-3f, 1f, 0.999f, 1e-8f, 0f))
        .hasMessageContaining("betas must be in [0, 1)");
  }
}
