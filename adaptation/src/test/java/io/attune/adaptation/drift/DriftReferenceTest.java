package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.method.Outputs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ATC calibration and the estimate it gives, against numbers. */
class DriftReferenceTest {

  /** A two-class prediction with P(class 0) = p. */
  private static float[] row(double p) {
    return new float[] {(float) p, (float) (1 - p)};
  }

  private static double entropy(double p) {
    return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  }

  @Test
  void theThresholdLetsAsManyCalibrationSamplesBelowItAsTheModelGotRight() {
    // ten samples, all predicted class 0, with confidences 0.99 .. 0.54; 7 labels are 0
    double[] conf = {0.99, 0.98, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55, 0.54};
    float[] p = new float[20];
    for (int i = 0; i < 10; i++) {
      System.arraycopy(row(conf[i]), 0, p, 2 * i, 2);
    }
    int[] labels = {0, 0, 1, 0, 0, 1, 0, 0, 1, 0};

    DriftReference ref = DriftReference.fit(DriftSignalsTest.LAYERS, p, labels, 2);

    assertThat(ref.calibrationAccuracy()).isEqualTo(0.7);
    // 7 of 10 below: halfway between the 7th and 8th smallest entropy (conf 0.7 and 0.6)
    assertThat(ref.entropyThreshold()).isCloseTo((entropy(0.7) + entropy(0.6)) / 2,
        within(1e-6));
    // the prior is the mean prediction
    double mean = java.util.Arrays.stream(conf).average().orElseThrow();
    assertThat(ref.classPrior()[0]).isCloseTo((float) mean, within(1e-6f));
    assertThat(ref.calibrationSamples()).isEqualTo(10);
  }

  @Test
  void theEstimateOnNewDataIsTheShareOfSamplesBelowTheThreshold() {
    float[] cal = new float[8];
    double[] conf = {0.99, 0.95, 0.9, 0.6};
    for (int i = 0; i < 4; i++) {
      System.arraycopy(row(conf[i]), 0, cal, 2 * i, 2);
    }
    // 3 of 4 right: the threshold falls between conf 0.9 and 0.6
    DriftReference ref = DriftReference.fit(DriftSignalsTest.LAYERS, cal, new int[] {0, 0, 0, 1},
        2);
    // a shifted batch: confidences 0.97, 0.85, 0.65, 0.55, 0.52: only the first two are sure
    double[] shifted = {0.97, 0.85, 0.65, 0.55, 0.52};
    float[] p = new float[10];
    for (int i = 0; i < 5; i++) {
      System.arraycopy(row(shifted[i]), 0, p, 2 * i, 2);
    }
    Outputs out = new Outputs(p, 2, 1, Map.of(), new Outputs.Diagnostics(5, 5, 0, false));

    DriftSignals s = DriftSignals.measure(out, out, ref);

    assertThat(s.adaptedEstimate()).isEqualTo(0.4);
    assertThat(s.sourceEstimate()).as("same model: same estimate").isEqualTo(0.4);
  }

  @Test
  void aClassTheSourceNeverPredictsKeepsAPositivePrior() {
    float[] p = {1, 0, 1, 0};

    DriftReference ref = DriftReference.fit(DriftSignalsTest.LAYERS, p, new int[] {0, 0}, 2);

    assertThat(ref.classPrior()[1]).isGreaterThan(0);
    assertThat(ref.classPrior()[0] + ref.classPrior()[1]).isCloseTo(1f, within(1e-6f));
  }
}
