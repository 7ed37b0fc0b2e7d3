package io.attune.adaptation.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.onnx.internal.NormLayer;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated backward graph against central finite differences through the generated
 * forward graph, for a loss linear in logits and features, {@code L = <G, logits> + <H,
 * features>}: its gradient is exactly what any loss hands the backward (dL/dlogits = G,
 * dL/dfeatures = H), so this checks the graph's differentiation, not a loss formula.
 */
class AdaptationGradientsTest {

  private static final int BATCH = 6;

  @ParameterizedTest(name = "opset {0}, alpha {1}")
  @CsvSource({"13, 0.0", "13, 0.3", "11, 0.0", "17, 0.6"})
  void backwardMatchesFiniteDifferencesOfTheForward(int opset, float alpha) {
    ModelProto model = TinyModels.convBnNet(opset);
    long[] sample = {1, 8, 8};
    ModelAnalysis analysis = ModelAnalysis.of(model, sample);
    Random random = new Random(3);
    float[] input = gaussian(random, BATCH * 64, 1.3f, 0.2f);
    float[] g = gaussian(random, BATCH * analysis.head().classes(), 1f, 0f);
    float[] h = gaussian(random, BATCH * analysis.head().dim(), 1f, 0f);
    try (AdaptationStep step = new AdaptationStep(analysis, sample, 1)) {
      Map<String, float[]> analytic;
      try (AdaptationStep.Forward fwd = step.forward(input, BATCH, Map.of(), alpha)) {
        analytic = step.backward(fwd, g, h);
      }
      for (NormLayer layer : analysis.norms()) {
        for (String param : new String[] {layer.scale(), layer.bias()}) {
          float[] source = analysis.graph().constant(param).map(
              io.attune.adaptation.onnx.internal.Tensors::floats).orElseThrow();
          for (int c = 0; c < layer.channels(); c++) {
            double numeric = centralDifference(step, input, g, h, alpha, param, source, c);
            assertThat((double) analytic.get(param)[c])
                .as("dL/d%s[%d]", param, c)
                .isCloseTo(numeric, org.assertj.core.api.Assertions.within(
                    2e-3 * Math.max(1, Math.abs(numeric))));
          }
        }
      }
    }
  }

  private static double centralDifference(AdaptationStep step, float[] input, float[] g,
      float[] h, float alpha, String param, float[] source, int channel) {
    float eps = 2e-3f;
    double[] values = new double[2];
    for (int side = 0; side < 2; side++) {
      float[] perturbed = source.clone();
      perturbed[channel] += side == 0 ? eps : -eps;
      Map<String, float[]> params = new HashMap<>();
      params.put(param, perturbed);
      try (AdaptationStep.Forward fwd = step.forward(input, BATCH, params, alpha)) {
        values[side] = dot(fwd.logits(), g) + dot(fwd.features(), h);
      }
    }
    return (values[0] - values[1]) / (2 * eps);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static float[] gaussian(Random random, int n, float scale, float shift) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * scale + shift;
    }
    return v;
  }
}
