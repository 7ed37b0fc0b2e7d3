package io.attune.adaptation.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.eval.Predictions;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference model ships both ways: with its BatchNormalization nodes, and folded as
 * PyTorch exports by default. Normalization inserted into the folded one and calibrated on
 * the source memory's 2,000 training images behaves like the original BN: the same model at
 * source statistics, nearly the same with batch statistics, and TENT adapts it the same way.
 */
class FoldedReferenceModelTest {

  private static final Path MODELS = RepoRoot.find().resolve("models/fmnist-resnet");
  private static final Path DATA = RepoRoot.find().resolve("data/fashion-mnist");
  private static final int BATCH = 64;
  private static final int BATCHES = 24;

  @TempDir
  static Path dir;

  private static ModelCard card;
  private static ModelBundle withBn;
  private static ModelBundle folded;
  private static float[][] inputs;
  private static int[][] labels;

  @BeforeAll
  static void prepareBothExportsAndAShiftedStream() throws Exception {
    card = ModelCard.read(MODELS.resolve("model.json"));
    withBn = ModelPreparation.prepare(new ModelPreparation.Options(MODELS.resolve("model.onnx"),
        dir.resolve("bn"), card, null, null, null, null));
    folded = ModelPreparation.prepare(new ModelPreparation.Options(
        MODELS.resolve("model-folded.onnx"), dir.resolve("folded"), card, null, null,
        MODELS.resolve("source-memory/images.npy"), null));
    inputs = new float[BATCHES][];
    labels = new int[BATCHES][];
    Random noise = new Random(5);
    try (LabeledReader reader = LabeledReader.open(DATA.resolve("t10k-images-idx3-ubyte.gz"),
        DATA.resolve("t10k-labels-idx1-ubyte.gz"))) {
      for (int b = 0; b < BATCHES; b++) {
        byte[] pixels = reader.images().readBytes(BATCH);
        for (int i = 0; i < pixels.length; i++) {
          // Gaussian noise, sigma 60 of 255: a severe shift for this model.
          double v = (pixels[i] & 0xFF) + 60 * noise.nextGaussian();
          pixels[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
        inputs[b] = card.preprocess(pixels, BATCH);
        labels[b] = java.util.Arrays.stream(reader.labels().readLongs(BATCH))
            .mapToInt(Math::toIntExact).toArray();
      }
    }
  }

  @Test
  void foldedBundleHasOneInsertedLayerPerConvolution() {
    assertThat(folded.manifest().insertedNormalization()).isTrue();
    assertThat(folded.manifest().layers()).hasSize(9);
  }

  @Test
  void withBatchStatisticsTheFoldedModelComputesWhatTheBnModelComputes() {
    try (AdaptationStep a = withBn.openStep(1); AdaptationStep b = folded.openStep(1);
        AdaptationStep.Forward fa = a.forward(inputs[0], BATCH, Map.of(), 0f);
        AdaptationStep.Forward fb = b.forward(inputs[0], BATCH, Map.of(), 0f)) {
      float[] la = fa.logits();
      float[] lb = fb.logits();
      double maxAbs = 0;
      for (float v : la) {
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      for (int i = 0; i < la.length; i++) {
        // Up to the calibration images' statistics against the training running statistics.
        assertThat(lb[i]).isCloseTo(la[i], within((float) (0.05 * maxAbs)));
      }
      int[] pa = Predictions.argmax(la, BATCH, 10);
      int[] pb = Predictions.argmax(lb, BATCH, 10);
      long agree = java.util.stream.IntStream.range(0, BATCH).filter(i -> pa[i] == pb[i]).count();
      assertThat(agree).as("same predictions (near-ties may flip)").isGreaterThanOrEqualTo(
          (long) Math.ceil(0.95 * BATCH));
    }
  }

  @Test
  void tentOnTheFoldedExportTracksTentOnTheBnExportWithinOnePoint() {
    double bn = tentAccuracy(withBn);
    double fold = tentAccuracy(folded);
    double source = sourceAccuracy();
    System.out.printf("shifted stream accuracy: source %.4f, TENT on BN export %.4f, TENT on folded export %.4f%n", source, bn, fold);

    assertThat(fold).isCloseTo(bn, within(0.01));
    assertThat(bn).as("TENT helps on this shift").isGreaterThan(source);
  }

  /** Online TENT: predict each batch with the current parameters, then take one SGD step. */
  private static double tentAccuracy(ModelBundle bundle) {
    Map<String, float[]> params = new HashMap<>();
    Map<String, float[]> velocity = new HashMap<>();
    List<BundleManifest.Layer> layers = bundle.manifest().layers();
    for (BundleManifest.Layer l : layers) {
      params.put(l.scale(), l.sourceScale().clone());
      params.put(l.bias(), l.sourceBias().clone());
    }
    long correct = 0;
    try (AdaptationStep step = bundle.openStep(1)) {
      for (int b = 0; b < BATCHES; b++) {
        try (AdaptationStep.Forward fwd = step.forward(inputs[b], BATCH, params, 0f)) {
          float[] logits = fwd.logits();
          int[] predicted = Predictions.argmax(logits, BATCH, 10);
          for (int i = 0; i < BATCH; i++) {
            correct += predicted[i] == labels[b][i] ? 1 : 0;
          }
          Map<String, float[]> grads = step.backward(fwd,
              Entropy.meanGradient(logits, BATCH, 10), null);
          for (Map.Entry<String, float[]> g : grads.entrySet()) {
            float[] p = params.get(g.getKey());
            float[] v = velocity.computeIfAbsent(g.getKey(), k -> new float[p.length]);
            for (int i = 0; i < p.length; i++) {
              v[i] = 0.9f * v[i] + g.getValue()[i];
              p[i] -= 1e-3f * v[i];
            }
          }
        }
      }
    }
    return (double) correct / (BATCHES * BATCH);
  }

  private static double sourceAccuracy() {
    long correct = 0;
    try (AdaptationStep step = withBn.openStep(1)) {
      for (int b = 0; b < BATCHES; b++) {
        try (AdaptationStep.Forward fwd = step.forward(inputs[b], BATCH, Map.of(), 1f)) {
          int[] predicted = Predictions.argmax(fwd.logits(), BATCH, 10);
          for (int i = 0; i < BATCH; i++) {
            correct += predicted[i] == labels[b][i] ? 1 : 0;
          }
        }
      }
    }
    return (double) correct / (BATCHES * BATCH);
  }
}
