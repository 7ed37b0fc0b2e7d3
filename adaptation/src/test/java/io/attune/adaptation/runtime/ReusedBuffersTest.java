package io.attune.adaptation.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.onnx.TinyModels;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.onnx.internal.NormLayer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The runtime keeps its input tensors across calls ({@code InputBuffers}); these check that a
 * reused buffer never leaks one call's values into another.
 */
class ReusedBuffersTest {

  private static final long[] SAMPLE = {1, 8, 8};
  private static final int SIZE = 64;

  private static float[] images(int seed, int n) {
    Random random = new Random(seed);
    float[] x = new float[n * SIZE];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static float[] dLogits(int n, int classes) {
    float[] d = new float[n * classes];
    for (int i = 0; i < d.length; i++) {
      d[i] = (i % 3 - 1) * 0.25f;
    }
    return d;
  }

  @Test
  void aForwardKeptOpenWhileAnotherRunsKeepsItsOwnInputsForBackward() {
    ModelAnalysis analysis = ModelAnalysis.of(TinyModels.convBnNet(13), SAMPLE);
    int classes = analysis.head().classes();
    NormLayer first = analysis.norms().get(0);
    float[] scale = analysis.sourceParameters().get(first.scale()).clone();
    scale[0] *= 1.5f;
    Map<String, float[]> changed = Map.of(first.scale(), scale);
    try (AdaptationStep step = new AdaptationStep(analysis, SAMPLE, 1)) {
      Map<String, float[]> aloneA;
      float[] logitsA;
      try (AdaptationStep.Forward a = step.forward(images(1, 4), 4, Map.of(), 0f)) {
        logitsA = a.logits();
        aloneA = step.backward(a, dLogits(4, classes), null);
      }
      Map<String, float[]> aloneB;
      try (AdaptationStep.Forward b = step.forward(images(2, 6), 6, changed, 0.4f)) {
        aloneB = step.backward(b, dLogits(6, classes), null);
      }
      try (AdaptationStep.Forward a = step.forward(images(1, 4), 4, Map.of(), 0f)) {
        Map<String, float[]> nestedB;
        try (AdaptationStep.Forward b = step.forward(images(2, 6), 6, changed, 0.4f)) {
          nestedB = step.backward(b, dLogits(6, classes), null);
        }
        Map<String, float[]> nestedA = step.backward(a, dLogits(4, classes), null);
        assertThat(a.logits()).containsExactly(logitsA);
        for (String p : aloneA.keySet()) {
          assertThat(nestedA.get(p)).as(p).containsExactly(aloneA.get(p));
          assertThat(nestedB.get(p)).as(p).containsExactly(aloneB.get(p));
        }
      }
    }
  }

  @Test
  void aForwardGivesTheSameLogitsWhateverRanBeforeIt() {
    ModelAnalysis analysis = ModelAnalysis.of(TinyModels.convBnNet(13), SAMPLE);
    NormLayer first = analysis.norms().get(0);
    float[] bias = analysis.sourceParameters().get(first.bias()).clone();
    bias[1] += 2f;
    try (AdaptationStep step = new AdaptationStep(analysis, SAMPLE, 1)) {
      float[] before;
      try (AdaptationStep.Forward f = step.forward(images(5, 3), 3, Map.of(), 1f)) {
        before = f.logits();
      }
      float[] adapted;
      try (AdaptationStep.Forward f = step.forward(images(6, 5), 5, Map.of(first.bias(), bias),
          1f)) {
        adapted = f.logits();
      }
      try (AdaptationStep.Forward f = step.forward(images(5, 3), 3, Map.of(), 1f)) {
        assertThat(f.logits()).containsExactly(before);
      }
      try (AdaptationStep.Forward f = step.forward(images(6, 5), 5, Map.of(), 1f)) {
        assertThat(f.logits()).as("the override of the call before is not kept")
            .isNotEqualTo(adapted);
      }
      assertThatThrownBy(() -> step.forward(images(5, 3), 3, Map.of("nope", bias), 1f))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
    }
  }
}
