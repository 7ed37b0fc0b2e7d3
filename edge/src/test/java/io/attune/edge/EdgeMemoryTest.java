package io.attune.edge;

import static io.attune.edge.PredictionArrays.maxAbs;
import static io.attune.edge.PredictionArrays.probabilities;
import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.DType;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.Tensor;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** T3A's prototypes on the edge: verified, then predicted with as the worker predicts. */
class EdgeMemoryTest {

  private static final ModelBundle BUNDLE = ReferenceBundle.get();
  private static final int BATCH = 32;
  private static final int CLASSES = 10;
  private static byte[] pixels;
  private static Outputs t3a;

  @BeforeAll
  static void adaptOnce() {
    pixels = ReferenceBundle.noisyImages(BATCH, 60, 11);
    try (AdaptationStep sessions = BUNDLE.openStep(1)) {
      AdaptationMethod method = Methods.create("t3a", BUNDLE, sessions);
      t3a = method.step(method.initialState(), new Batch(
          BUNDLE.manifest().preprocess(pixels, BATCH), BATCH)).outputs();
    }
  }

  private static EdgeModel open() {
    return EdgeModel.open(BUNDLE, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
  }

  /** The worker's memory of {@code outputs} as a MemoryUpdate, unsigned. */
  static MemoryUpdate.Builder memory(Outputs.Memory m, long version) {
    ByteBuffer bytes = ByteBuffer.allocate(m.features().length * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(m.features());
    List<Integer> labels = new ArrayList<>();
    for (int label : m.labels()) {
      labels.add(label);
    }
    return MemoryUpdate.newBuilder().setModel(Updates.MODEL).setCohort(Updates.COHORT)
        .setVersion(version).setKind(MemoryKind.PROTOTYPES).setMethod("t3a")
        .setFeatures(Tensor.newBuilder().setDtype(DType.FLOAT32)
            .setShape(List.of(m.entries(), m.dim())).setData(bytes).build())
        .setLabels(labels).setCreatedAt(Instant.EPOCH).setKeyId("")
        .setSignature(ByteBuffer.allocate(0));
  }

  static MemoryUpdate signed(MemoryUpdate.Builder b, KeyPair keys) {
    return UpdateSignatures.sign(b.build(), keys);
  }

  static MemoryUpdate signed(long version) {
    return signed(memory(t3a.memory().orElseThrow(), version), Updates.KEYS);
  }

  @Test
  void withT3asPrototypesTheEdgePredictsWhatTheWorkerPredicted() {
    try (EdgeModel model = open()) {
      float[] head = probabilities(model.predictBatch(pixels, BATCH), CLASSES);

      UpdateResult result = model.apply(signed(1));

      assertThat(result.accepted()).isTrue();
      assertThat(model.memoryVersion()).isEqualTo(1);
      assertThat(model.predictsWithMemory()).isTrue();
      float[] edge = probabilities(model.predictBatch(pixels, BATCH), CLASSES);
      assertThat(maxAbs(edge, t3a.probabilities())).as("edge vs worker T3A")
          .isLessThan(1e-4f);
      assertThat(maxAbs(head, t3a.probabilities())).as("the head predicts otherwise")
          .isGreaterThan(1e-2f);
      // the head's entropy rides along, for upload filters
      List<Prediction> withMemory = model.predictBatch(pixels, BATCH);
      assertThat(withMemory.get(0).headEntropy()).isNotEqualTo(withMemory.get(0).entropy());
      // one sample alone: the prototypes do not depend on the batch
      Prediction one = model.predict(Arrays.copyOf(pixels, 28 * 28));
      assertThat(maxAbs(one.probabilities(), Arrays.copyOf(t3a.probabilities(), CLASSES)))
          .isLessThan(1e-4f);
    }
  }

  @Test
  void anEmptyMemoryReturnsPredictionsToTheHead() {
    try (EdgeModel model = open()) {
      float[] head = probabilities(model.predictBatch(pixels, BATCH), CLASSES);
      model.apply(signed(1));
      MemoryUpdate.Builder empty = memory(t3a.memory().orElseThrow(), 2)
          .setFeatures(Tensor.newBuilder().setDtype(DType.FLOAT32)
              .setShape(List.of(0, t3a.memory().orElseThrow().dim()))
              .setData(ByteBuffer.allocate(0)).build())
          .setLabels(List.of());

      assertThat(model.apply(signed(empty, Updates.KEYS)).accepted()).isTrue();

      assertThat(model.predictsWithMemory()).isFalse();
      assertThat(model.memoryVersion()).isEqualTo(2);
      assertThat(probabilities(model.predictBatch(pixels, BATCH), CLASSES)).isEqualTo(head);
    }
  }

  @Test
  void everyKindOfBadMemoryIsRefusedAndChangesNothing() {
    Outputs.Memory m = t3a.memory().orElseThrow();
    try (EdgeModel model = open()) {
      model.apply(signed(3));
      float[] before = probabilities(model.predictBatch(pixels, BATCH), CLASSES);

      assertRefused(model, memory(m, 4).build(), RejectReason.UNSIGNED);
      assertRefused(model, signed(memory(m, 4), Updates.OTHER_KEYS), RejectReason.UNKNOWN_KEY);
      MemoryUpdate tampered = MemoryUpdate.newBuilder(signed(4)).setLabels(
          shifted(m.labels())).build();
      assertRefused(model, tampered, RejectReason.BAD_SIGNATURE);
      assertRefused(model, signed(memory(m, 4).setModel("other"), Updates.KEYS),
          RejectReason.WRONG_MODEL);
      assertRefused(model, signed(memory(m, 4).setCohort("site-b"), Updates.KEYS),
          RejectReason.WRONG_COHORT);
      assertRefused(model, signed(3), RejectReason.STALE);
      assertRefused(model, signed(memory(m, 4).setKind(MemoryKind.KNN), Updates.KEYS),
          RejectReason.UNSUPPORTED);
      assertRefused(model, signed(edit(memory(m, 4), t -> t.setShape(List.of(m.dim(),
          m.entries()))), Updates.KEYS), RejectReason.LAYOUT_MISMATCH);
      List<Integer> twice = new ArrayList<>(Arrays.stream(m.labels()).boxed().toList());
      twice.set(1, twice.get(0));
      assertRefused(model, signed(memory(m, 4).setLabels(twice), Updates.KEYS),
          RejectReason.LAYOUT_MISMATCH);
      float[] poisoned = m.features();
      poisoned[7] = Float.NaN;
      assertRefused(model, signed(memory(new Outputs.Memory(m.kind(), m.dim(), poisoned,
          m.labels(), m.weights(), m.changedAt(), m.vote()), 4), Updates.KEYS),
          RejectReason.NON_FINITE);

      assertThat(model.memoryVersion()).isEqualTo(3);
      assertThat(probabilities(model.predictBatch(pixels, BATCH), CLASSES)).isEqualTo(before);
      assertThat(model.stats().rejected().get(RejectReason.UNSUPPORTED)).isEqualTo(1);
    }
  }

  private static void assertRefused(EdgeModel model, MemoryUpdate update, RejectReason reason) {
    UpdateResult result = model.apply(update);
    assertThat(result.accepted()).as(reason.name()).isFalse();
    assertThat(result.reason()).contains(reason);
  }

  private static MemoryUpdate.Builder edit(MemoryUpdate.Builder b, UnaryOperator<Tensor.Builder>
      change) {
    return b.setFeatures(change.apply(Tensor.newBuilder(b.getFeatures())).build());
  }

  private static List<Integer> shifted(int[] labels) {
    List<Integer> out = new ArrayList<>();
    for (int label : labels) {
      out.add((label + 1) % CLASSES);
    }
    return out;
  }
}
