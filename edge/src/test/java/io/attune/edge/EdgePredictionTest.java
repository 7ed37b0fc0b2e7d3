package io.attune.edge;

import static io.attune.edge.PredictionArrays.maxAbs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgePredictionTest {

  private static final ModelBundle BUNDLE = ReferenceBundle.get();
  private static final int BATCH = 64;
  private static final int SIZE = 28 * 28;

  private static EdgeModel open() {
    return EdgeModel.open(BUNDLE, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
  }

  /**
   * The worker adapts on a batch with test-time BN and publishes the batch's statistics; the
   * edge, predicting each sample of that batch alone, normalizes with those published
   * statistics and so predicts what the worker predicted in the batch.
   */
  @Test
  void aSingleSampleIsNormalizedWithThePublishedStatistics() {
    byte[] pixels = ReferenceBundle.noisyImages(BATCH, 60, 3);
    float[] inputs = BUNDLE.manifest().preprocess(pixels, BATCH);
    AdaptationMethod.Step step;
    try (AdaptationStep sessions = BUNDLE.openStep(1)) {
      AdaptationMethod norm = Methods.create("norm", BUNDLE, sessions);
      step = norm.step(norm.initialState(), new Batch(inputs, BATCH));
    }
    float[] workerProbabilities = step.outputs().probabilities();

    try (EdgeModel model = open()) {
      float[] sourceFirst = model.predict(Arrays.copyOf(pixels, SIZE)).probabilities();
      model.apply(Updates.signed(BUNDLE, 1, step.outputs().parameters()));

      float maxDiff = 0;
      float sourceDiff = 0;
      for (int i = 0; i < BATCH; i++) {
        Prediction one = model.predict(Arrays.copyOfRange(pixels, i * SIZE, (i + 1) * SIZE));
        assertThat(one.paramsVersion()).isEqualTo(1);
        float[] expected = Arrays.copyOfRange(workerProbabilities, i * 10, (i + 1) * 10);
        maxDiff = Math.max(maxDiff, maxAbs(one.probabilities(), expected));
        if (i == 0) {
          sourceDiff = maxAbs(sourceFirst, expected);
        }
      }
      assertThat(maxDiff).as("edge batch of 1 vs worker's batch of 64").isLessThan(1e-4f);
      assertThat(sourceDiff).as("the source parameters predict otherwise").isGreaterThan(1e-2f);
    }
  }

  @Test
  void aBatchPredictsEachSampleAsItWouldAlone() {
    byte[] pixels = ReferenceBundle.noisyImages(8, 40, 5);
    try (EdgeModel model = open()) {
      model.apply(Updates.signed(BUNDLE, 1, Updates.perturbed(BUNDLE, 1)));

      List<Prediction> batch = model.predictBatch(pixels, 8);

      for (int i = 0; i < 8; i++) {
        Prediction alone = model.predict(Arrays.copyOfRange(pixels, i * SIZE, (i + 1) * SIZE));
        assertThat(maxAbs(batch.get(i).probabilities(), alone.probabilities())).isLessThan(1e-5f);
        assertThat(batch.get(i).predictedClass()).isEqualTo(alone.predictedClass());
        assertThat(batch.get(i).paramsVersion()).isEqualTo(1);
      }
    }
  }

  @Test
  void aPredictionCarriesProbabilitiesTheirArgmaxAndEntropy() {
    byte[] pixels = ReferenceBundle.noisyImages(1, 0, 1);
    try (EdgeModel model = open()) {
      Prediction p = model.predict(pixels);
      Prediction fromFloats = model.predict(BUNDLE.manifest().preprocess(pixels, 1));

      double sum = 0;
      double entropy = 0;
      int argmax = 0;
      for (int c = 0; c < p.probabilities().length; c++) {
        float pc = p.probabilities()[c];
        sum += pc;
        entropy -= pc > 0 ? pc * Math.log(pc) : 0;
        argmax = pc > p.probabilities()[argmax] ? c : argmax;
      }
      assertThat(sum).isCloseTo(1, within(1e-5));
      assertThat((double) p.entropy()).isCloseTo(entropy, within(1e-4));
      assertThat(p.predictedClass()).isEqualTo(argmax).isEqualTo(9);
      assertThat(p.paramsVersion()).isZero();
      assertThat(fromFloats.probabilities()).isEqualTo(p.probabilities());
      assertThat(model.stats().predictions()).isEqualTo(2);
    }
  }
}
