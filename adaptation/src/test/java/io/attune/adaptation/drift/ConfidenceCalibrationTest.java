package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The adapted model's accuracy-to-confidence ratio and how the monitor applies it. */
class ConfidenceCalibrationTest {

  private static final float[] SURE0 = ThreeClassRows.SURE0;
  private static final float[] SURE1 = ThreeClassRows.SURE1;
  private static final float[] UNSURE0 = ThreeClassRows.UNSURE0;

  private static float[] rows(float[]... rows) {
    return ThreeClassRows.rows(rows);
  }

  private static final ConfidenceCalibration FOUR = new ConfidenceCalibration(new float[8],
      new int[] {0, 0, 0, 0}, 3, 0.5);

  @Test
  void theRatioIsAccuracyOverTheConfidentShare() {
    // confident: 0, 1, 2 (3 of 4); right: 0, 2, 3 (3 of 4) -> 1.0
    assertThat(FOUR.ratio(rows(SURE0, SURE1, SURE0, UNSURE0))).isEqualTo(1.0);
    // a sharpened model: all 4 confident, 2 right -> 0.5
    assertThat(FOUR.ratio(rows(SURE0, SURE1, SURE0, SURE1))).isEqualTo(0.5);
    // an unsure one: 2 confident (0, 3), 3 right (0, 1, 2) -> 1.5
    assertThat(FOUR.ratio(rows(SURE0, UNSURE0, UNSURE0, SURE1))).isEqualTo(1.5);
    assertThat(FOUR.ratio(rows(UNSURE0, UNSURE0, UNSURE0, UNSURE0))).isNaN();
  }

  @Test
  void theMonitorScalesTheAdaptedCountByTheRatioInForceUntilTheNextOne() {
    DriftMonitor monitor = new DriftMonitor(DriftMonitor.Config.defaults(), 3);
    List<DriftSignals> stream = DriftMonitorTest.stream(3, 10, 10, 1);
    DriftMonitor.State s = monitor.initialState();
    assertThat(monitor.recalibrates(s)).isTrue();

    // each clean batch of the stream: 60 of 64 adapted-confident
    DriftMonitor.Update first = monitor.update(s, stream.get(0), 0.5);
    DriftMonitor.Update second = monitor.update(first.state(), stream.get(1));

    assertThat(first.estimates().adapted()).isCloseTo(30 / 64.0, within(1e-9));
    assertThat(second.state().calibration()).isEqualTo(0.5);
    assertThat(second.estimates().adapted()).isCloseTo(30 / 64.0, within(1e-9));
    assertThat(monitor.recalibrates(second.state())).isFalse();
    assertThat(second.estimates().source()).as("the source's estimate is not scaled")
        .isCloseTo(55 / 64.0, within(1e-9));
  }

  @Test
  void aRatioAboveOneNeverEstimatesAboveCertainty() {
    DriftMonitor monitor = new DriftMonitor(DriftMonitor.Config.defaults(), 3);

    DriftMonitor.Update u = monitor.update(monitor.initialState(),
        DriftMonitorTest.stream(1, 10, 10, 1).get(0), 2.0);

    assertThat(u.estimates().adapted()).isEqualTo(1.0);
  }

  @Test
  void labelsOutsideTheClassesAreRefused() {
    assertThatThrownBy(() -> new ConfidenceCalibration(new float[2], new int[] {0, 3}, 3, 0.5))
        .hasMessageContaining("label 3 is not one of the 3 classes");
  }
}
