package io.attune.adaptation.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attune's generated graphs against PyTorch autograd on the fixtures of
 * {@code models/fixtures} (made by make_fixtures.py): forward logits, features and batch
 * statistics, the Java loss gradient, and the gradients of every BN scale and bias.
 */
class PyTorchFixturesTest {

  private static final Path FIXTURES = RepoRoot.find().resolve("models/fixtures");

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0}, alpha {1}")
  @CsvSource({
    "resnet, 0.0", "resnet, 0.3",
    "mobilenetv2, 0.0", "mobilenetv2, 0.3",
    "wideresnet, 0.0", "wideresnet, 0.3",
    "pools, 0.0", "pools, 0.3",
    "hardswish, 0.0", "hardswish, 0.3"})
  void generatedGradientsMatchPyTorchAutograd(String fixture, String alpha) throws Exception {
    Path dir = FIXTURES.resolve(fixture);
    Path expected = dir.resolve("alpha-" + alpha);
    // The resnet fixture is the shipped reference model; its ONNX file lives only there.
    Path model = fixture.equals("resnet")
        ? RepoRoot.find().resolve("models/fmnist-resnet/model.onnx") : dir.resolve("model.onnx");
    ModelBundle bundle = ModelPreparation.prepare(new ModelPreparation.Options(
        model, tmp.resolve("bundle"), null, null, null, null, null));
    FloatData inputs = ArrayReader.loadFloats(dir.resolve("inputs.npy"));
    int batch = inputs.shape().dim(0);
    int classes = bundle.manifest().head().classes();

    try (AdaptationStep step = bundle.openStep(1);
        AdaptationStep.Forward fwd = step.forward(inputs.data(), batch, Map.of(),
            Float.parseFloat(alpha))) {
      assertClose(fwd.logits(), load(expected, "logits.npy"), 1e-4f, "logits");
      assertClose(fwd.features(), load(expected, "features.npy"), 1e-4f, "features");

      float[] dLogits = FixtureLoss.dLogits(fwd.logits(), batch, classes,
          load(dir, "weights.npy"), load(dir, "soft_targets.npy"));
      assertClose(dLogits, load(expected, "dlogits.npy"), 1e-6f, "Java dL/dlogits");

      Map<String, float[]> grads = step.backward(fwd, load(expected, "dlogits.npy"),
          load(expected, "dfeatures.npy"));
      float scale = 0;
      for (BundleManifest.Layer layer : bundle.manifest().layers()) {
        for (String p : new String[] {layer.scale(), layer.bias()}) {
          for (float v : load(expected.resolve("grads"), p + ".npy")) {
            scale = Math.max(scale, Math.abs(v));
          }
        }
      }
      for (BundleManifest.Layer layer : bundle.manifest().layers()) {
        for (String p : new String[] {layer.scale(), layer.bias()}) {
          // rtol 1e-3 of the case's largest gradient: float32 sums over N*H*W reorder freely.
          assertClose(grads.get(p), load(expected.resolve("grads"), p + ".npy"), 1e-3f * scale,
              "dL/d" + p);
        }
      }
    }
  }

  private static float[] load(Path dir, String file) throws Exception {
    return ArrayReader.loadFloats(dir.resolve(file)).data();
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(tolerance));
    }
  }

  /** The fixtures' loss on logits: mean(w_i H_i) + mean(CE(q_i, p_i)). */
  static final class FixtureLoss {
    private FixtureLoss() {}

    static float[] dLogits(float[] logits, int n, int classes, float[] w, float[] q) {
      float[] weights = new float[n];
      for (int i = 0; i < n; i++) {
        weights[i] = w[i] / n;
      }
      float[] grad = Entropy.weightedGradient(logits, n, classes, weights);
      float[] p = Entropy.softmax(logits, n, classes);
      for (int i = 0; i < grad.length; i++) {
        grad[i] += (p[i] - q[i]) / n;
      }
      return grad;
    }
  }
}
