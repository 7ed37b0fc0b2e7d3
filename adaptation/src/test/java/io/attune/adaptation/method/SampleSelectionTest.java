package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.bundle.BundleManifest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EATA's and SAR's filters, weights and moving averages on hand-made vectors. */
class SampleSelectionTest {

  private static final float E0_10 = (float) (0.4 * Math.log(10)); // 0.921

  @Test
  void reliableSamplesAreThoseBelowTheEntropyMarginThatTheMaskKeeps() {
    float[] entropies = {0.1f, 0.5f, 0.92f, 1.5f};

    assertThat(SampleSelection.reliable(entropies, E0_10, new boolean[] {true, true, true, true}))
        .containsExactly(true, true, true, false);
    assertThat(SampleSelection.reliable(entropies, E0_10,
        new boolean[] {true, false, true, true})).containsExactly(true, false, true, false);
  }

  @Test
  void redundantSamplesPointWhereTheMovingAverageAlreadyPoints() {
    float[] average = {0.6f, 0.2f, 0.2f}; // |average| = 0.6633
    float[] probabilities = {
        1, 0, 0, // cos 0.9045: class 0 is what recent selections were about
        0, 1, 0, // cos 0.3015
        0, 0, 1}; // cos 0.3015, but not a candidate

    assertThat(SampleSelection.cosine(probabilities, 0, average, 3)).isCloseTo(0.9045,
        within(1e-4));
    assertThat(SampleSelection.cosine(probabilities, 3, average, 3)).isCloseTo(0.3015,
        within(1e-4));
    assertThat(SampleSelection.nonRedundant(probabilities, 3, new boolean[] {true, true, false},
        average, 0.4f)).containsExactly(false, true, false);
  }

  @Test
  void theMovingAverageStartsAtTheFirstSelectionsMeanThenMovesATenthOfTheWay() {
    float[] probabilities = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    boolean[] firstTwo = {true, true, false};

    float[] first = SampleSelection.updateAverage(null, probabilities, 3, firstTwo);
    float[] next = SampleSelection.updateAverage(new float[] {0.6f, 0.2f, 0.2f}, probabilities,
        3, firstTwo);

    assertThat(first).containsExactly(0.5f, 0.5f, 0f);
    assertThat(next).containsExactly(new float[] {0.59f, 0.23f, 0.18f}, within(1e-6f));
    assertThat(SampleSelection.updateAverage(null, probabilities, 3, new boolean[3])).isNull();
    assertThat(SampleSelection.updateAverage(next, probabilities, 3, new boolean[3]))
        .containsExactly(next);
  }

  @Test
  void confidentSamplesWeighMoreAndWeightsAverageOverTheSelection() {
    float[] entropies = {0.5f, 1.0f, 0.2f};

    float[] w = SampleSelection.eataWeights(entropies, new boolean[] {true, true, false}, 1.0f);

    assertThat(w).containsExactly(new float[] {(float) (Math.exp(0.5) / 2), 0.5f, 0f},
        within(1e-6f));
    assertThat(SampleSelection.meanWeights(new boolean[] {true, false, true, true}))
        .containsExactly(1 / 3f, 0f, 1 / 3f, 1 / 3f);
  }

  @Test
  void eatasLogitGradientMatchesFiniteDifferencesOfItsWeightedLoss() {
    float[] logits = {2.0f, -1.0f, 0.5f, 0.1f, 0.2f, 0.3f, 3.0f, 2.9f, -4f};
    boolean[] selected = {true, true, false};
    float[] entropies = Entropy.perSample(logits, 3, 3);
    float[] weights = SampleSelection.eataWeights(entropies, selected, E0_10);

    float[] grad = Entropy.weightedGradient(logits, 3, 3, weights);

    // The weights are constants (detached in the official code): L(z) = sum_i w_i H_i(z).
    double h = 1e-3;
    for (int j = 0; j < logits.length; j++) {
      float[] up = logits.clone();
      float[] down = logits.clone();
      up[j] += (float) h;
      down[j] -= (float) h;
      double numeric = (weighted(up, weights) - weighted(down, weights)) / (2 * h);
      assertThat((double) grad[j]).as("dL/dz_%d", j).isCloseTo(numeric, within(2e-3));
    }
    assertThat(grad[6]).isZero();
  }

  @Test
  void fisherLossGradientIsSoftmaxMinusTheOneHotPseudoLabelOverTheBatch() {
    float[] logits = {2.0f, -1.0f, 0.5f, 0.1f, 0.4f, 0.3f};

    float[] grad = FisherInformation.pseudoLabelCrossEntropyGradient(logits, 2, 3);

    double h = 1e-3;
    for (int j = 0; j < logits.length; j++) {
      float[] up = logits.clone();
      float[] down = logits.clone();
      up[j] += (float) h;
      down[j] -= (float) h;
      // The pseudo-labels stay those of the unperturbed logits: classes 0 and 1.
      double numeric = (crossEntropy(up, new int[] {0, 1}) - crossEntropy(down, new int[] {0, 1}))
          / (2 * h);
      assertThat((double) grad[j]).as("dCE/dz_%d", j).isCloseTo(numeric, within(1e-3));
    }
  }

  @Test
  void sarsMovingAverageStartsAtTheFirstLossAndIgnoresBatchesWithoutReliableSamples() {
    assertThat(Sar.updateEma(null, 0.5)).isEqualTo(0.5);
    assertThat(Sar.updateEma(new float[] {0.5f}, 0.3)).isCloseTo(0.48, within(1e-7));
    assertThat(Sar.updateEma(new float[] {0.5f}, Double.NaN)).isEqualTo(0.5);
    assertThat(Sar.updateEma(null, Double.NaN)).isNaN();
  }

  @Test
  void sarsRecoveryWaitsForTheMovingLossToCrossTheConstantScaledToTenClasses() {
    float scaled = Sar.Config.defaults(10).resetThreshold(); // 0.2 ln 10 / ln 1000
    double[] healthy = {0.15, 0.15, 0.15, 0.15};
    double[] collapsing = {0.15, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01};

    assertThat(scaled).isCloseTo(0.0667f, within(1e-4f));
    // A confident 10-class model's reliable samples sit near 0.15 nats on clean data: the
    // ImageNet constant 0.2 would recover it at once, the scaled one never.
    assertThat(firstRecovery(healthy, 0.2f)).isZero();
    assertThat(firstRecovery(healthy, scaled)).isEqualTo(-1);
    // 0.15, 0.136, 0.1234, 0.1121, 0.1019, 0.0927, 0.0844, 0.0770, 0.0703, 0.0642 < 0.0667
    assertThat(firstRecovery(collapsing, scaled)).isEqualTo(9);
  }

  private static int firstRecovery(double[] losses, float threshold) {
    float[] ema = null;
    for (int b = 0; b < losses.length; b++) {
      double e = Sar.updateEma(ema, losses[b]);
      if (e < threshold) {
        return b;
      }
      ema = new float[] {(float) e};
    }
    return -1;
  }

  @Test
  void samsFirstStepMovesTheParametersByRhoAlongTheGradient() {
    float[] affine = {1, 0, 1, 0};
    float[] grad = {3, 4, 0, 0};

    float[] perturbed = Sar.ascend(affine, grad, 0.05f);

    assertThat(perturbed).containsExactly(new float[] {1.03f, 0.04f, 1, 0}, within(1e-7f));
    assertThat(Sar.ascend(affine, new float[4], 0.05f)).containsExactly(affine);
  }

  @Test
  void sarFreezesTheModulesTheOfficialCodeSkipsAndAdaptsTheRest() {
    ParameterLayout layout = new ParameterLayout(List.of(layer(0, "layer3.0.bn1", 2),
        layer(1, "layer4.0.bn1", 1), layer(2, "stage3.bn2", 1)));

    boolean[] adapted = Sar.adaptedParameters(layout,
        Sar.Config.defaults(1000).frozenModules());

    assertThat(adapted).containsExactly(true, true, true, true, false, false, true, true);
  }

  private static BundleManifest.Layer layer(int index, String module, int channels) {
    float[] zeros = new float[channels];
    return new BundleManifest.Layer(index, module, module + ".in", module + ".weight",
        module + ".bias", module + ".running_mean", module + ".running_var", channels, 1e-5f,
        zeros, zeros, zeros, zeros);
  }

  private static double weighted(float[] logits, float[] weights) {
    float[] h = Entropy.perSample(logits, weights.length, logits.length / weights.length);
    double s = 0;
    for (int i = 0; i < h.length; i++) {
      s += weights[i] * h[i];
    }
    return s;
  }

  private static double crossEntropy(float[] logits, int[] labels) {
    int classes = logits.length / labels.length;
    float[] p = Entropy.softmax(logits, labels.length, classes);
    double s = 0;
    for (int i = 0; i < labels.length; i++) {
      s -= Math.log(p[i * classes + labels[i]]);
    }
    return s / labels.length;
  }
}
