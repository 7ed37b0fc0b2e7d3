package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.attune.adaptation.method.optim.Adam;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * ROID's weights, losses, gradients and prior against numbers worked out by hand and against
 * PyTorch ({@code src/test/resources/roid/make_fixture.py}, which wrote
 * {@code roid-fixture.json} with autograd).
 */
class RoidLossTest {

  /** Two samples, two classes: p = (1/2, 1/2) and (3/4, 1/4), uniform moving average. */
  private static final float[] LOGITS = {0f, 0f, (float) Math.log(3), 0f};

  @Test
  void theLessDiverseSampleIsMaskedAndTheOtherWeighsEToTheThree() {
    float[] p = Entropy.softmax(LOGITS, 2, 2);
    // div = 1 - cos((1/2, 1/2), p): 0 and 1 - 0.5 / (0.7071 * 0.7906) = 0.1056, normalized to
    // 0 and 1; the mean 0.5 masks the first. cert = -H = -0.6931 and -0.5623, normalized to 0
    // and 1. Weight of the second: exp(1 * 1 / (1/3)) = e^3.
    RoidLoss.Weights w = RoidLoss.weights(p, Entropy.perSample(LOGITS, 2, 2), 2, 2,
        new float[] {0.5f, 0.5f}, 1.0 / 3);

    assertThat(w.keep()).containsExactly(false, true);
    assertThat(w.weights()[0]).isZero();
    assertThat(w.weights()[1]).isCloseTo((float) Math.exp(3), within(1e-4f));
  }

  @Test
  void softLikelihoodRatioOfAThreeToOneSplitIsMinusPointFiveFourNine() {
    // -(0.75 ln(3 + 1e-5) + 0.25 ln(1/3 + 1e-5)) = -(0.8239617 - 0.2746456)
    float[] slr = RoidLoss.softLikelihoodRatio(Entropy.softmax(LOGITS, 2, 2), 2, 2);

    assertThat(slr[1]).isCloseTo(-0.5493161f, within(1e-6f));
    // (1/2, 1/2): ln(1 + 1e-5) ~ 1e-5 per class, halved and summed
    assertThat(slr[0]).isCloseTo(-1e-5f, within(1e-7f));
  }

  @Test
  void smoothedPriorOfTwoSamplesFollowsTheFormula() {
    // prior (0.625, 0.375); s = max(1/2, 1/2) / 0.625 = 0.8; (prior + s) / (1 + 2 s)
    float[] prior = RoidLoss.smoothedPrior(Entropy.softmax(LOGITS, 2, 2), 2, 2);

    assertThat(prior).containsExactly(new float[] {1.425f / 2.6f, 1.175f / 2.6f},
        within(1e-6f));
  }

  @Test
  void weightsLossesAndGradientsMatchPyTorch() throws IOException {
    JsonNode f = fixture();
    int n = f.get("n").asInt();
    int c = f.get("classes").asInt();
    float[] logits = floats(f, "logits");
    float[] p = Entropy.softmax(logits, n, c);

    RoidLoss.Weights w = RoidLoss.weights(p, Entropy.perSample(logits, n, c), n, c,
        floats(f, "average"), f.get("temperature").asDouble());
    float[] scaled = w.weights().clone();
    for (int i = 0; i < n; i++) {
      scaled[i] /= n;
    }
    float[][] sce = RoidLoss.symmetricCrossEntropyGradient(floats(f, "augmented"), logits, n, c,
        scaled);

    for (int i = 0; i < n; i++) {
      assertThat(w.keep()[i]).as("keep %d", i).isEqualTo(f.get("keep").get(i).asBoolean());
    }
    assertClose(w.weights(), floats(f, "weights"), 1e-4);
    assertClose(RoidLoss.softLikelihoodRatio(p, n, c), floats(f, "slr"), 1e-5);
    assertClose(RoidLoss.softLikelihoodRatioGradient(p, n, c, scaled), floats(f, "slrGradient"),
        1e-5);
    assertClose(RoidLoss.symmetricCrossEntropy(floats(f, "augmented"), logits, n, c),
        floats(f, "sce"), 1e-5);
    assertClose(sce[0], floats(f, "sceGradientAugmented"), 1e-5);
    assertClose(sce[1], floats(f, "sceGradientOriginal"), 1e-5);
    assertClose(RoidLoss.smoothedPrior(p, n, c), floats(f, "smoothedPrior"), 1e-6);
  }

  @Test
  void aRowAboveTheClipHasTheGradientOfItsFiniteDifferences() throws IOException {
    float[] logits = java.util.Arrays.copyOf(floats(fixture(), "logits"), 4);
    float[] p = Entropy.softmax(logits, 1, 4);
    assertThat(p[0]).isGreaterThan(0.99f);

    float[] grad = RoidLoss.softLikelihoodRatioGradient(p, 1, 4, new float[] {1f});

    // central differences in double; p_0 stays above the clip for h = 1e-3, so the clipped
    // class contributes a constant 0.99 term and no slope
    double h = 1e-3;
    for (int j = 0; j < 4; j++) {
      double[] plus = toDouble(logits);
      double[] minus = toDouble(logits);
      plus[j] += h;
      minus[j] -= h;
      double fd = (slr(plus) - slr(minus)) / (2 * h);
      assertThat((double) grad[j]).as("logit %d", j).isCloseTo(fd, within(1e-6));
    }
  }

  private static double slr(double[] z) {
    double max = java.util.Arrays.stream(z).max().orElseThrow();
    double sum = java.util.Arrays.stream(z).map(v -> Math.exp(v - max)).sum();
    double s = 0;
    for (double v : z) {
      double q = Math.min(Math.exp(v - max) / sum, 0.99);
      s -= q * Math.log(q / (1 - q) + 1e-5);
    }
    return s;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void badConfigsAreRefusedWithEveryProblemNamed() {
    assertThatThrownBy(() -> new Roid.Config(null, 0, 1, 0, true, true, null, 1, 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("roid: optimizer is missing")
        .hasMessageContaining("temperature must be finite and > 0, got 0.0")
        .hasMessageContaining("probabilityMomentum must be in [0, 1), got 1.0")
        .hasMessageContaining("sourceMomentum must be in (0, 1], got 0.0")
        .hasMessageContaining("priorCorrection is missing")
        .hasMessageContaining("statsMomentum must be in (0, 1], got 0.0")
        .hasMessageContaining("normEmaMomentum must be in [0, 1], got 2.0");
    Roid.Config d = Roid.Config.defaults();
    assertThat(d.optimizer()).isEqualTo(Adam.withLearningRate(1e-3f));
    assertThat(d.temperature()).isEqualTo(1.0 / 3);
    assertThat(d.sourceMomentum()).isEqualTo(0.99);
    assertThat(d.probabilityMomentum()).isEqualTo(0.9);
  }

  private static JsonNode fixture() throws IOException {
    try (InputStream in = RoidLossTest.class.getResourceAsStream("/roid/roid-fixture.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static float[] floats(JsonNode f, String name) {
    JsonNode a = f.get(name);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  /** Within {@code tolerance} relative to the largest magnitude of the expected values. */
  private static void assertClose(float[] actual, float[] expected, double tolerance) {
    double scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i)
          .isCloseTo(expected[i], within(tolerance * Math.max(scale, 1e-12)));
    }
  }
}
