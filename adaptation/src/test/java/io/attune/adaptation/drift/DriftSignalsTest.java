package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.method.Outputs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-batch signals against numbers worked out by hand. */
class DriftSignalsTest {

  /** Two layers: one channel N(0, 1), and two channels N(1, 4) and N(-1, 0.25); no epsilon. */
  static final List<DriftReference.LayerStatistics> LAYERS = List.of(
      new DriftReference.LayerStatistics("a", new float[] {0}, new float[] {1}, 0),
      new DriftReference.LayerStatistics("b", new float[] {1, -1}, new float[] {4, 0.25f}, 0));

  /** Three classes, uniform prior, threshold 0.5 nats. */
  static final DriftReference REFERENCE = new DriftReference(LAYERS,
      new float[] {1 / 3f, 1 / 3f, 1 / 3f}, 0.5, 0.9, 100);

  private static Outputs outputs(float[] probabilities, Outputs.BatchStatistics stats,
      int used, boolean reset) {
    int n = probabilities.length / 3;
    return new Outputs(probabilities, 3, 1, Map.of(),
        new Outputs.Diagnostics(n, used, 0.25f, reset, stats));
  }

  @Test
  void statisticsDivergenceIsTheGaussianKlAveragedOverChannelsThenLayers() {
    // layer a: batch N(1, 1) vs N(0, 1): KL = 0.5 * (0 + (1 + 1) / 1 - 1) = 0.5
    // layer b ch 0: batch N(1, 1) vs N(1, 4): 0.5 * (ln 4 + 1/4 - 1) = 0.318147...
    // layer b ch 1: batch N(-1, 0.25): 0
    Outputs.BatchStatistics stats = new Outputs.BatchStatistics(new float[] {1, 1, -1},
        new float[] {1, 1, 0.25f});
    double layerB = (0.5 * (Math.log(4) + 0.25 - 1) + 0) / 2;

    assertThat(DriftSignals.statisticsDivergence(stats, REFERENCE))
        .isCloseTo((0.5 + layerB) / 2, within(1e-6));
  }

  @Test
  void statisticsEqualToTheSourceDivergeByNothing() {
    Outputs.BatchStatistics stats = new Outputs.BatchStatistics(new float[] {0, 1, -1},
        new float[] {1, 4, 0.25f});

    assertThat(DriftSignals.statisticsDivergence(stats, REFERENCE)).isCloseTo(0, within(1e-7));
  }

  @Test
  void withoutStatisticsTheDivergenceIsMissing() {
    assertThat(DriftSignals.statisticsDivergence(Outputs.BatchStatistics.NONE, REFERENCE))
        .isNaN();
  }

  @Test
  void statisticsOfAnotherModelAreRejected() {
    Outputs.BatchStatistics two = new Outputs.BatchStatistics(new float[2], new float[2]);

    assertThatThrownBy(() -> DriftSignals.statisticsDivergence(two, REFERENCE))
        .hasMessageContaining("2 channels, but the source has 3");
  }

  @Test
  void classDivergenceIsTheKlOfTheMeanPredictionFromThePrior() {
    // mean of (1, 0, 0) and (0, 1, 0): (0.5, 0.5, 0); KL from uniform = ln(1.5)
    float[] p = {1, 0, 0, 0, 1, 0};

    assertThat(DriftSignals.classDivergence(p, 2, REFERENCE)).isCloseTo(Math.log(1.5),
        within(1e-6));
  }

  @Test
  void theSourceCountsAsRightWhereBothModelsAgreeAndEitherIsSure() {
    float[] sure0 = {0.98f, 0.01f, 0.01f};
    float[] sure1 = {0.01f, 0.98f, 0.01f};
    float[] unsure0 = {0.4f, 0.35f, 0.25f};
    float[] unsure1 = {0.35f, 0.4f, 0.25f};
    // 0: source sure 0, adapted unsure 0 -> agree, the source sure: counts
    // 1: source unsure 0, adapted sure 0 -> agree, the adapted model sure: counts
    // 2: both unsure of 0                 -> agree, neither sure: does not count
    // 3: source sure 0, adapted sure 1    -> a confident source contradicted: does not count
    // 4: both unsure, different classes   -> does not count
    float[] adapted = concat(unsure0, sure0, unsure0, sure1, unsure1);
    float[] source = concat(sure0, unsure0, unsure0, sure0, unsure0);

    DriftSignals s = DriftSignals.measure(outputs(adapted, Outputs.BatchStatistics.NONE, 5,
        false), outputs(source, Outputs.BatchStatistics.NONE, 0, false), REFERENCE);

    assertThat(s.sourceJudgedCorrect()).isEqualTo(2);
    assertThat(s.sourceEstimate()).isEqualTo(0.4);
    assertThat(s.adaptedEstimate()).as("plain ATC: samples 1 and 3").isEqualTo(0.4);
    // the source alone: plain ATC, its 2 sure samples of 5
    DriftSignals alone = DriftSignals.measure(outputs(source, Outputs.BatchStatistics.NONE, 5,
        false), outputs(source, Outputs.BatchStatistics.NONE, 0, false), REFERENCE);
    assertThat(alone.sourceEstimate()).isEqualTo(0.4);
    assertThat(alone.sourceJudgedCorrect()).isEqualTo(alone.sourceConfident());
  }

  @Test
  void countsAgreementAndAtcEstimatesSampleBySample() {
    // entropies: (0.98, 0.01, 0.01) ~ 0.112 nats (confident); (0.4, 0.35, 0.25) ~ 1.08 (not)
    float[] sure0 = {0.98f, 0.01f, 0.01f};
    float[] sure1 = {0.01f, 0.98f, 0.01f};
    float[] unsure0 = {0.4f, 0.35f, 0.25f};
    float[] unsure2 = {0.25f, 0.35f, 0.4f};
    // sample 0: both sure of class 0         -> source confident, agree, adapted confident
    // sample 1: source sure 0, adapted sure 1 -> source confident, disagree, adapted confident
    // sample 2: source unsure 0, adapted sure 0 -> agree, adapted confident
    // sample 3: source sure 1, adapted unsure 2 -> source confident, disagree
    float[] adapted = concat(sure0, sure1, sure0, unsure2);
    float[] source = concat(sure0, sure0, unsure0, sure1);
    Outputs.BatchStatistics stats = new Outputs.BatchStatistics(new float[] {0, 1, -1},
        new float[] {1, 4, 0.25f});

    DriftSignals s = DriftSignals.measure(outputs(adapted, Outputs.BatchStatistics.NONE, 3,
        true), outputs(source, stats, 0, false), REFERENCE);

    assertThat(s.samples()).isEqualTo(4);
    assertThat(s.statisticsDivergence()).as("read from the source's forward")
        .isCloseTo(0, within(1e-7));
    assertThat(s.adaptedClasses()).containsExactly(2, 1, 1);
    assertThat(s.sourceClasses()).containsExactly(3, 1, 0);
    assertThat(s.sourceConfident()).isEqualTo(3);
    assertThat(s.confidentAgreements()).isEqualTo(1);
    assertThat(s.agreements()).isEqualTo(2);
    assertThat(s.adaptedConfident()).isEqualTo(3);
    assertThat(s.sourceJudgedCorrect()).isEqualTo(2);
    assertThat(s.adaptedEstimate()).isEqualTo(0.75);
    assertThat(s.sourceEstimate()).isEqualTo(0.5);
    assertThat(s.confidentAgreement()).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(s.shareUsed()).isEqualTo(0.75);
    assertThat(s.reset()).isTrue();
    assertThat(s.adaptedEntropy()).isEqualTo(0.25);
    double hSure = entropy(sure0);
    double hUnsure = entropy(unsure0);
    assertThat(s.entropy()).isCloseTo((3 * hSure + hUnsure) / 4, within(1e-6));
    // adapted classes (2, 1, 1) of 4: H = -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 1.0397 / ln 3
    assertThat(s.diversity()).isCloseTo(-(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25))
        / Math.log(3), within(1e-12));
  }

  @Test
  void theMethodsOwnStatisticsServeWhenTheSourcePassHasNone() {
    float[] p = {1, 0, 0};
    Outputs.BatchStatistics stats = new Outputs.BatchStatistics(new float[] {1, 1, -1},
        new float[] {1, 4, 0.25f});
    Outputs adapted = outputs(p, stats, 1, false);

    DriftSignals s = DriftSignals.measure(adapted, outputs(p, Outputs.BatchStatistics.NONE, 0,
        false), REFERENCE);

    assertThat(s.statisticsDivergence()).isCloseTo(0.25, within(1e-6));
  }

  @Test
  void outputsOfDifferentBatchesAreRejected() {
    Outputs one = outputs(new float[] {1, 0, 0}, Outputs.BatchStatistics.NONE, 1, false);
    Outputs two = outputs(new float[] {1, 0, 0, 0, 1, 0}, Outputs.BatchStatistics.NONE, 2,
        false);

    assertThatThrownBy(() -> DriftSignals.measure(one, two, REFERENCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not describe the same batch");
  }

  private static double entropy(float[] p) {
    double h = 0;
    for (float q : p) {
      h -= q * Math.log(q);
    }
    return h;
  }

  private static float[] concat(float[]... rows) {
    float[] out = new float[rows.length * 3];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, 3 * i, 3);
    }
    return out;
  }
}
