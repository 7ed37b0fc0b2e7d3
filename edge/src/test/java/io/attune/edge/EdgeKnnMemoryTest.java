package io.attune.edge;

import static io.attune.edge.PredictionArrays.maxAbs;
import static io.attune.edge.PredictionArrays.probabilities;
import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.KnnVote;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdaNPC's kNN memory on the edge: the published test entries, voted over together with the
 * device bundle's source memory with the published k and temperature, predict what the worker's
 * AdaNPC predicted.
 */
class EdgeKnnMemoryTest {

  private static final int BATCH = 32;
  private static final int CLASSES = 10;

  @TempDir
  static Path dir;
  /** The reference bundle with its source memory, which AdaNPC needs. */
  private static ModelBundle bundle;
  private static byte[] first;
  private static byte[] second;
  /** AdaNPC's step on the first batch (its memory: that batch's entries). */
  private static Outputs afterFirst;
  /** AdaNPC's step on the second batch, predicted with the memory of the first. */
  private static Outputs onSecond;

  @BeforeAll
  static void adaptTwice() {
    bundle = ReferenceModel.prepareMonitoredBundle(dir.resolve("bundle"));
    byte[] pixels = ReferenceBundle.noisyImages(2 * BATCH, 60, 11);
    first = Arrays.copyOf(pixels, BATCH * 28 * 28);
    second = Arrays.copyOfRange(pixels, BATCH * 28 * 28, pixels.length);
    try (AdaptationStep sessions = bundle.openStep(1)) {
      AdaptationMethod method = Methods.create("adanpc", bundle, sessions);
      AdaptationMethod.Step one = method.step(method.initialState(),
          new Batch(bundle.manifest().preprocess(first, BATCH), BATCH));
      afterFirst = one.outputs();
      onSecond = method.step(one.state(),
          new Batch(bundle.manifest().preprocess(second, BATCH), BATCH)).outputs();
    }
  }

  private static EdgeModel open(ModelBundle on) {
    return EdgeModel.open(on, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
  }

  /** The worker's record of AdaNPC's memory after the first batch, unsigned. */
  static MemoryUpdate.Builder knnMemory(long version) {
    Outputs.Memory m = afterFirst.memory().orElseThrow();
    Outputs.Memory.Vote vote = m.vote().orElseThrow();
    return EdgeMemoryTest.memory(m, version).setKind(MemoryKind.KNN).setMethod("adanpc")
        .setK(vote.k()).setTemperature(vote.temperature())
        .setSourceMemorySha256(vote.sourceMemorySha256());
  }

  @Test
  void withAdaNpcsKnnMemoryTheEdgePredictsWhatTheWorkerPredicted() {
    Outputs.Memory m = afterFirst.memory().orElseThrow();
    assertThat(m.entries()).as("the first batch joined the memory").isEqualTo(BATCH);
    assertThat(m.vote().orElseThrow().k()).isEqualTo(10);
    assertThat(m.vote().orElseThrow().temperature()).isEqualTo(0.1f);
    assertThat(m.vote().orElseThrow().sourceMemorySha256())
        .isEqualTo(KnnVote.open(bundle).sourceMemorySha256());
    try (EdgeModel model = open(bundle)) {
      assertThat(model.apply(Updates.signed(bundle, 1, afterFirst.parameters())).accepted())
          .isTrue();
      float[] head = probabilities(model.predictBatch(second, BATCH), CLASSES);

      UpdateResult result = model.apply(EdgeMemoryTest.signed(knnMemory(1), Updates.KEYS));

      assertThat(result.accepted()).as(String.valueOf(result.detail())).isTrue();
      assertThat(model.predictsWithMemory()).isTrue();
      float[] edge = probabilities(model.predictBatch(second, BATCH), CLASSES);
      assertThat(maxAbs(edge, onSecond.probabilities())).as("edge vs worker AdaNPC")
          .isLessThan(1e-4f);
      assertThat(maxAbs(head, onSecond.probabilities())).as("the head predicts otherwise")
          .isGreaterThan(1e-2f);
      // the vote is per sample: one sample alone gets its batch row
      Prediction one = model.predict(Arrays.copyOf(second, 28 * 28));
      assertThat(maxAbs(one.probabilities(), Arrays.copyOf(onSecond.probabilities(), CLASSES)))
          .isLessThan(1e-4f);
    }
  }

  @Test
  void theEdgeVotesOverThePublishedEntriesNotOnlyOverItsSourceMemory() {
    try (EdgeModel model = open(bundle)) {
      model.apply(EdgeMemoryTest.signed(knnMemory(1), Updates.KEYS));
      float[] withEntries = probabilities(model.predictBatch(second, BATCH), CLASSES);

      float[] sourceAlone = KnnVote.open(bundle).probabilities(features(model, second), BATCH,
          new float[0], new int[0], 10, 0.1f);

      assertThat(maxAbs(withEntries, sourceAlone)).isGreaterThan(1e-3f);
    }
  }

  @Test
  void aKnnMemoryOfAnotherSourceMemoryIsRefusedAndALaterGoodOneApplied() {
    try (EdgeModel model = open(bundle)) {
      float[] head = probabilities(model.predictBatch(second, BATCH), CLASSES);

      UpdateResult wrong = model.apply(EdgeMemoryTest.signed(knnMemory(1)
          .setSourceMemorySha256("0".repeat(64)), Updates.KEYS));

      assertThat(wrong.accepted()).isFalse();
      assertThat(wrong.reason()).contains(RejectReason.SOURCE_MISMATCH);
      assertThat(wrong.detail()).contains("0000000000000000", KnnVote.open(bundle)
          .sourceMemorySha256().substring(0, 16));
      assertThat(model.predictsWithMemory()).isFalse();
      assertThat(probabilities(model.predictBatch(second, BATCH), CLASSES)).isEqualTo(head);

      assertThat(model.apply(EdgeMemoryTest.signed(knnMemory(2), Updates.KEYS)).accepted())
          .isTrue();
      assertThat(model.memoryVersion()).isEqualTo(2);
      assertThat(model.stats().rejected().get(RejectReason.SOURCE_MISMATCH)).isEqualTo(1);
    }
  }

  @Test
  void aDeviceWhoseBundleKeepsNoSourceMemoryRefusesKnnMemory() {
    try (EdgeModel model = open(ReferenceBundle.get())) {
      UpdateResult result = model.apply(EdgeMemoryTest.signed(knnMemory(1), Updates.KEYS));

      assertThat(result.reason()).contains(RejectReason.SOURCE_MISMATCH);
      assertThat(result.detail()).contains("keeps no source memory");
    }
  }

  @Test
  void aKnnMemoryWithoutItsVoteOrWithATamperedKIsRefused() {
    try (EdgeModel model = open(bundle)) {
      // as a worker of schema version 1 wrote it: no k, no temperature, no source
      MemoryUpdate old = EdgeMemoryTest.signed(knnMemory(1).setK(0).setTemperature(0f)
          .setSourceMemorySha256(""), Updates.KEYS);
      assertThat(model.apply(old).reason()).contains(RejectReason.UNSUPPORTED);

      MemoryUpdate tampered = MemoryUpdate.newBuilder(EdgeMemoryTest.signed(knnMemory(2),
          Updates.KEYS)).setK(1).build();
      assertThat(model.apply(tampered).reason()).contains(RejectReason.BAD_SIGNATURE);
      assertThat(model.predictsWithMemory()).isFalse();
    }
  }

  /** The edge graph's penultimate features with the model's current parameters. */
  private static float[] features(EdgeModel model, byte[] pixels) {
    try (io.attune.adaptation.runtime.EdgeSession session = new io.attune.adaptation.runtime
        .EdgeSession(model.bundle(), RuntimeOptions.cpu(1))) {
      return session.infer(model.bundle().manifest().preprocess(pixels, BATCH), BATCH,
          model.snapshot().shared()).features();
    }
  }
}
