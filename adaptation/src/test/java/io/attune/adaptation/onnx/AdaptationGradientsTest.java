package io.attune.adaptation.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.onnx.internal.NormLayer;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated backward graph against central finite differences through the generated
 * forward graph, for a non-trivial loss on logits and features,
 * {@code L = mean(w_i H_i) + mean(CE(q_i, p_i)) + 0.05 mean(|f_i - t_i|^2)}, on every fixture
 * model and on a Java-built net at several opsets.
 *
 * <p>Tolerance: float32 forwards and h = 2e-3 leave about 1e-3 of rounding in a difference
 * quotient, and a perturbation may move a ReLU or MaxPool kink; {@code 3e-3 + 1%} of the
 * value covers both. Exactness is PyTorchFixturesTest's job (rtol 1e-3 against autograd).
 */
class AdaptationGradientsTest {

  private static final Path FIXTURES = RepoRoot.find().resolve("models/fixtures");
  private static final float H = 2e-3f;
  private static final int BATCH = 6;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("tiny opset 11", TinyModels.convBnNet(11), new long[] {1, 8, 8}, 0.0f),
        Arguments.of("tiny opset 13", TinyModels.convBnNet(13), new long[] {1, 8, 8}, 0.3f),
        Arguments.of("tiny opset 17", TinyModels.convBnNet(17), new long[] {1, 8, 8}, 0.6f),
        Arguments.of("split/slice/matmul opset 11", TinyModels.splitSliceNet(11),
            new long[] {1, 8, 8}, 0.0f),
        Arguments.of("split/slice/matmul opset 13", TinyModels.splitSliceNet(13),
            new long[] {1, 8, 8}, 0.3f),
        Arguments.of("average pools opset 13", TinyModels.averagePoolsNet(13),
            new long[] {1, 8, 8}, 0.0f),
        fixture("mobilenetv2", new long[] {3, 16, 16}, 0.0f),
        fixture("wideresnet", new long[] {3, 16, 16}, 0.3f),
        fixture("pools", new long[] {1, 28, 28}, 0.0f),
        fixture("hardswish", new long[] {3, 16, 16}, 0.3f));
  }

  private static Arguments fixture(String name, long[] sample, float alpha) {
    return Arguments.of(name, OnnxModels.read(FIXTURES.resolve(name).resolve("model.onnx")),
        sample, alpha);
  }

  @ParameterizedTest(name = "{0}, alpha {3}")
  @MethodSource("models")
  void backwardMatchesFiniteDifferencesOfTheForward(String name, ModelProto model,
      long[] sample, float alpha) {
    ModelAnalysis analysis = ModelAnalysis.of(model, sample);
    int sampleSize = (int) Arrays.stream(sample).reduce(1, Math::multiplyExact);
    int classes = analysis.head().classes();
    int dim = analysis.head().dim();
    Random random = new Random(3);
    float[] input = gaussian(random, BATCH * sampleSize, 1.3f, 0.2f);
    Loss loss = new Loss(random, classes, dim);
    try (AdaptationStep step = new AdaptationStep(analysis, sample, 1)) {
      Map<String, float[]> analytic;
      try (AdaptationStep.Forward fwd = step.forward(input, BATCH, Map.of(), alpha)) {
        analytic = step.backward(fwd, loss.dLogits(fwd.logits()),
            loss.dFeatures(fwd.features()));
      }
      for (NormLayer layer : analysis.norms()) {
        for (String param : new String[] {layer.scale(), layer.bias()}) {
          float[] source = analysis.sourceParameters().get(param);
          for (int c : channelsToCheck(layer.channels())) {
            double numeric = centralDifference(step, input, loss, alpha, param, source, c);
            assertThat((double) analytic.get(param)[c]).as("dL/d%s[%d]", param, c)
                .isCloseTo(numeric, within(3e-3 + 0.01 * Math.abs(numeric)));
          }
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void stridedConvolutionsGradientsArePhaseConvolutionsAndAShortcutSharesItsBlocksInterleave() {
    // The reference ResNet has two downsampling blocks, each a 3x3 stride-2 conv and a 1x1
    // stride-2 shortcut reading the same tensor, and four stride-1 convolutions after its stem
    // (whose input, the image, needs no gradient). Each block: four phase Convs for the 3x3
    // kernel, one for the 1x1 kernel (it reaches one phase), one interleave of three Concats.
    ModelAnalysis analysis = ModelAnalysis.of(OnnxModels.read(RepoRoot.find().resolve(
        "models/fmnist-resnet/model.onnx")), new long[] {1, 28, 28});
    ModelProto backward = io.attune.adaptation.onnx.internal.AdaptationGraphs.build(analysis)
        .backward();
    Map<String, Long> ops = backward.getGraph().getNodeList().stream().collect(
        java.util.stream.Collectors.groupingBy(n -> n.getOpType(),
            java.util.stream.Collectors.counting()));
    assertThat(ops).doesNotContainKey("ConvTranspose");
    assertThat(ops.get("Conv")).isEqualTo(4 + 2 * (4 + 1));
    assertThat(ops.get("Concat")).isEqualTo(2 * 3);
  }

  @org.junit.jupiter.api.Test
  void anAveragePoolThatTilesItsInputHasARepeatForGradientAndAnOverlappingOneAConvTranspose() {
    ModelAnalysis analysis = ModelAnalysis.of(TinyModels.averagePoolsNet(13),
        new long[] {1, 8, 8});
    ModelProto backward = io.attune.adaptation.onnx.internal.AdaptationGraphs.build(analysis)
        .backward();
    Map<String, Long> ops = backward.getGraph().getNodeList().stream().collect(
        java.util.stream.Collectors.groupingBy(n -> n.getOpType(),
            java.util.stream.Collectors.counting()));
    assertThat(ops.get("ConvTranspose")).isEqualTo(1);
    // one Expand repeats the tiling pool's gradient, one the global pool's
    assertThat(ops.get("Expand")).isEqualTo(2);
  }

  private static int[] channelsToCheck(int channels) {
    return channels <= 4 ? java.util.stream.IntStream.range(0, channels).toArray()
        : new int[] {0, channels / 2, channels - 1};
  }

  private static double centralDifference(AdaptationStep step, float[] input, Loss loss,
      float alpha, String param, float[] source, int channel) {
    double[] values = new double[2];
    for (int side = 0; side < 2; side++) {
      float[] perturbed = source.clone();
      perturbed[channel] += side == 0 ? H : -H;
      Map<String, float[]> params = new HashMap<>();
      params.put(param, perturbed);
      try (AdaptationStep.Forward fwd = step.forward(input, BATCH, params, alpha)) {
        values[side] = loss.value(fwd.logits(), fwd.features());
      }
    }
    return (values[0] - values[1]) / (2 * H);
  }

  /** The fixtures' loss, with random weights, soft targets and feature targets. */
  private static final class Loss {
    private final int classes;
    private final int dim;
    private final float[] weights;
    private final float[] softTargets;
    private final float[] featureTargets;

    Loss(Random random, int classes, int dim) {
      this.classes = classes;
      this.dim = dim;
      this.weights = new float[BATCH];
      for (int i = 0; i < BATCH; i++) {
        weights[i] = 0.2f + 0.8f * random.nextFloat();
      }
      this.softTargets = Entropy.softmax(gaussian(random, BATCH * classes, 2f, 0f), BATCH,
          classes);
      this.featureTargets = gaussian(random, BATCH * dim, 1f, 0f);
    }

    double value(float[] logits, float[] features) {
      float[] h = Entropy.perSample(logits, BATCH, classes);
      float[] p = Entropy.softmax(logits, BATCH, classes);
      double l = 0;
      for (int i = 0; i < BATCH; i++) {
        l += weights[i] * h[i] / BATCH;
        for (int c = 0; c < classes; c++) {
          l -= softTargets[i * classes + c] * Math.log(p[i * classes + c]) / BATCH;
        }
        for (int d = 0; d < dim; d++) {
          double diff = features[i * dim + d] - featureTargets[i * dim + d];
          l += 0.05 * diff * diff / BATCH;
        }
      }
      return l;
    }

    float[] dLogits(float[] logits) {
      return PyTorchFixturesTest.FixtureLoss.dLogits(logits, BATCH, classes, weights,
          softTargets);
    }

    float[] dFeatures(float[] features) {
      float[] d = new float[features.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = 0.1f * (features[i] - featureTargets[i]) / BATCH;
      }
      return d;
    }
  }

  private static float[] gaussian(Random random, int n, float scale, float shift) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * scale + shift;
    }
    return v;
  }
}
