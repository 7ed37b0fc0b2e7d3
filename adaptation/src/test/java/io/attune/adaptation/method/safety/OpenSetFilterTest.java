package io.attune.adaptation.method.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenSetFilterTest {

  @Test
  void keepsTheSamplesOnWhichAdaptationRaisedTheOriginalPredictionsConfidence() {
    float[] source = {
        0.6f, 0.3f, 0.1f,
        0.6f, 0.3f, 0.1f,
        0.2f, 0.5f, 0.3f,
        0.4f, 0.4f, 0.2f};
    float[] adapted = {
        0.7f, 0.2f, 0.1f, // more confident in class 0: kept
        0.5f, 0.4f, 0.1f, // less confident: dropped
        0.1f, 0.3f, 0.6f, // more confident overall, but in another class than the source's 1
        0.4f, 0.4f, 0.2f}; // unchanged (as on the first batch): kept

    assertThat(OpenSetFilter.compare(adapted, source, 4, 3))
        .containsExactly(true, false, false, true);
  }

  @Test
  void statisticsWeightsOutsideTheUnitIntervalAreRefused() {
    assertThatThrownBy(() -> new OpenSetFilter.Config(-0.5f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openset: sourceAlpha must be in [0, 1], got -0.5");
  }
}
