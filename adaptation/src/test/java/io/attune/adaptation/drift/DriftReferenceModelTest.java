package io.attune.adaptation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.eval.DriftEvaluation;
import io.attune.adaptation.eval.StreamEvaluation.LabelledBatch;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration and a short clean-then-noisy stream on the reference model with TENT. */
class DriftReferenceModelTest {

  @TempDir
  static Path dir;

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static DriftReference reference;

  @BeforeAll
  static void calibrate() {
    bundle = ReferenceModel.prepareBundle(dir.resolve("bundle"));
    sessions = bundle.openStep(1);
    reference = DriftReference.calibrate(bundle, Methods.create("source", bundle, sessions),
        Optional.of(ReferenceModel.modelDir().resolve("source-memory/labels.npy")));
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  @Test
  void calibrationReadsTheSourceModelOnItsSourceImages() {
    // models/README.md: the head classifies 94.7% of the 2,000 source images correctly
    assertThat(reference.calibrationAccuracy()).isCloseTo(0.947, within(0.001));
    assertThat(reference.calibrationSamples()).isEqualTo(2000);
    assertThat(reference.entropyThreshold()).isBetween(0.5, 1.2);
    assertThat(reference.layers()).hasSize(9);
    // balanced classes, 200 each: the prior is near uniform
    for (float p : reference.classPrior()) {
      assertThat(p).isBetween(0.08f, 0.12f);
    }
  }

  @Test
  void noiseAfterTwentyCleanBatchesIsRaisedWithinThreeBatchesAndCleanRaisesNothing()
      throws IOException {
    List<LabelledBatch> stream = stream(24, 20, 64);
    AdaptationMethod tent = Methods.create("tent", bundle, sessions);
    AdaptationMethod source = Methods.create("source", bundle, sessions);
    List<DriftEvaluation.BatchTrace> traces = new ArrayList<>();

    DriftEvaluation.Result r = DriftEvaluation.run(tent, source, stream,
        List.of(new DriftEvaluation.Domain("clean", true, 0),
            new DriftEvaluation.Domain("noise", false, 5)), reference,
        new DriftMonitor(DriftMonitor.Config.defaults(), 10), null, traces::add, n -> { });

    assertThat(r.events()).isNotEmpty();
    assertThat(r.events().get(0).transition()).isEqualTo(ChangeDetector.Transition.RAISED);
    assertThat(r.events().get(0).batch()).isBetween(20L, 22L);
    DriftEvaluation.DomainScore clean = r.scores().get(0);
    // ATC on clean test batches: the estimate of the source model within 3 pp of the truth
    assertThat(clean.estimatedSource()).isCloseTo(clean.sourceAccuracy(), within(0.03));
    DriftEvaluation.DomainScore noisy = r.scores().get(1);
    assertThat(noisy.sourceAccuracy()).isLessThan(clean.sourceAccuracy() - 0.1);
    assertThat(traces.get(22).signals().statisticsDivergence())
        .isGreaterThan(5 * traces.get(10).signals().statisticsDivergence());
  }

  /**
   * The first {@code batches * size} test images; from batch {@code noisyFrom} on with Gaussian
   * pixel noise of standard deviation 60 (of 255), seeded; domain 1 there, 0 before.
   */
  private static List<LabelledBatch> stream(int batches, int noisyFrom, int size)
      throws IOException {
    List<LabelledBatch> out = new ArrayList<>();
    Random noise = new Random(5);
    try (LabeledReader reader = LabeledReader.open(ReferenceModel.testImages(),
        ReferenceModel.testLabels())) {
      for (int b = 0; b < batches; b++) {
        byte[] pixels = reader.images().readBytes(size);
        boolean noisy = b >= noisyFrom;
        for (int i = 0; i < pixels.length && noisy; i++) {
          pixels[i] = (byte) Math.max(0, Math.min(255,
              (pixels[i] & 0xFF) + Math.round(60 * noise.nextGaussian())));
        }
        int[] labels = Arrays.stream(reader.labels().readLongs(size))
            .mapToInt(Math::toIntExact).toArray();
        int[] domains = new int[size];
        Arrays.fill(domains, noisy ? 1 : 0);
        out.add(new LabelledBatch(bundle.manifest().preprocess(pixels, size), labels, domains));
      }
    }
    return out;
  }
}
