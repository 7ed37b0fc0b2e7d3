package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.KnnVote;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.UpdateKind;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import io.attune.topology.adapt.CohortStepper;
import io.attune.topology.adapt.ModelRegistry;
import io.attune.topology.processor.SignedRecordCodecs;
import io.attune.topology.processor.StepObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-parametric memories (T3A's prototypes, AdaNPC's kNN entries) published beside the
 * parameters, signed.
 */
class MemoryTopologyTest {

  static final int BATCH = 8;

  @TempDir
  static Path bundleDir;
  /** The reference bundle with its source memory, which AdaNPC needs. */
  @TempDir
  static Path memoryBundleDir;
  static ModelRegistry t3a;
  static ModelRegistry tent;
  static ModelRegistry adanpc;
  static final KeyPair KEYS = SigningKeys.generate();

  @BeforeAll
  static void prepareBundle() {
    ReferenceModel.prepareBundle(bundleDir);
    ReferenceModel.prepareMonitoredBundle(memoryBundleDir);
    adanpc = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL, memoryBundleDir,
        new ModelCatalog.Adaptation("adanpc", BATCH, 1_000,
            Map.of("k", "5", "temperature", "0.2"))), RuntimeOptions.cpu(1), true);
    t3a = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL, bundleDir, "t3a", BATCH,
        1_000), RuntimeOptions.cpu(1), true);
    tent = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL, bundleDir, "tent", BATCH,
        1_000), RuntimeOptions.cpu(1), true);
  }

  @AfterAll
  static void closeModels() {
    t3a.close();
    tent.close();
    adanpc.close();
  }

  /** What one run of traffic through the topology published. */
  record Published(List<NormParamsUpdate> params, List<MemoryUpdate> memory,
      List<byte[]> memoryBytes) {}

  static Published run(ModelRegistry models, List<InferenceSample> traffic) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "attune-memory-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(AdaptationTopology.build(
        AdaptationTopologyTest.SETTINGS, models, new SignedRecordCodecs(KEYS),
        StepObserver.NONE), props, Instant.EPOCH)) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("traffic",
          new ByteArraySerializer(), new ByteArraySerializer());
      for (InferenceSample s : traffic) {
        in.pipeInput(AdaptationTopologyTest.key(s), AdaptationTopologyTest.encode(s), 0);
      }
      TestOutputTopic<byte[], byte[]> params = driver.createOutputTopic("params",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<byte[], byte[]> memory = driver.createOutputTopic("memory",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<NormParamsUpdate> p = new ArrayList<>();
      for (byte[] v : params.readValuesToList()) {
        p.add(AdaptationTopologyTest.decode(v, NormParamsUpdate.getDecoder()));
      }
      List<byte[]> bytes = new ArrayList<>();
      List<MemoryUpdate> m = new ArrayList<>();
      for (var kv : memory.readKeyValuesToList()) {
        assertThat(new String(kv.key, StandardCharsets.UTF_8)).isEqualTo(
            TrafficFixtures.MODEL + "/a");
        bytes.add(kv.value);
        m.add(AdaptationTopologyTest.decode(kv.value, MemoryUpdate.getDecoder()));
      }
      return new Published(p, m, bytes);
    }
  }

  @Test
  void t3aPublishesItsSignedPrototypesWithTheVersionOfTheParametersOfTheSameStep() {
    Published out = run(t3a, TrafficFixtures.samples("a", 4 * BATCH, 40, 5));

    assertThat(out.params()).extracting(NormParamsUpdate::getVersion)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(out.memory()).isNotEmpty();
    assertThat(out.memory().get(0).getVersion()).as("the first step publishes").isEqualTo(1);
    List<Long> paramVersions = out.params().stream().map(NormParamsUpdate::getVersion).toList();
    for (MemoryUpdate m : out.memory()) {
      assertThat(paramVersions).contains(m.getVersion());
      assertThat(m.getKind()).isEqualTo(MemoryKind.PROTOTYPES);
      assertThat(m.getMethod()).isEqualTo("t3a");
      assertThat(UpdateSignatures.verify(m, KEYS.getPublic())).isEqualTo(Verification.VALID);
      List<Integer> shape = m.getFeatures().getShape();
      assertThat(shape).hasSize(2);
      assertThat(m.getLabels()).hasSize(shape.get(0));
      // one prototype per class of the reference model, each a finite feature vector
      assertThat(m.getLabels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      float[] features = floats(m.getFeatures().getData());
      assertThat(features).hasSize(shape.get(0) * shape.get(1));
      for (float f : features) {
        assertThat(Float.isFinite(f)).isTrue();
      }
    }
    // the prototypes move as test supports join: later memories differ from the first
    assertThat(floats(out.memory().get(out.memory().size() - 1).getFeatures().getData()))
        .isNotEqualTo(floats(out.memory().get(0).getFeatures().getData()));
  }

  @Test
  void adaNpcPublishesItsTestEntriesWithItsKTemperatureAndSourceMemoryDigestSigned() {
    Published out = run(adanpc, TrafficFixtures.samples("a", 3 * BATCH, 40, 5));
    String digest = KnnVote.open(ModelBundle.open(memoryBundleDir)).sourceMemorySha256();

    assertThat(out.memory()).extracting(MemoryUpdate::getVersion).containsExactly(1L, 2L, 3L);
    for (MemoryUpdate m : out.memory()) {
      assertThat(m.getKind()).isEqualTo(MemoryKind.KNN);
      assertThat(m.getMethod()).isEqualTo("adanpc");
      // the method's hyperparameters as the catalog set them, not the defaults (10, 0.1)
      assertThat(m.getK()).isEqualTo(5);
      assertThat(m.getTemperature()).isEqualTo(0.2f);
      assertThat(m.getSourceMemorySha256()).isEqualTo(digest).hasSize(64);
      assertThat(UpdateSignatures.carriesKnnFields(m)).isTrue();
      assertThat(UpdateSignatures.verify(m, KEYS.getPublic())).isEqualTo(Verification.VALID);
      // only the test entries: one per sample adapted so far, never the 2,000 source entries
      assertThat(m.getLabels()).hasSize((int) m.getVersion() * BATCH);
      assertThat(m.getFeatures().getShape()).containsExactly((int) m.getVersion() * BATCH,
          128);
    }
    assertThat(MemoryUpdate.newBuilder(out.memory().get(0)).setK(6).build())
        .extracting(m -> UpdateSignatures.verify(m, KEYS.getPublic()))
        .as("a tampered k").isEqualTo(Verification.INVALID_SIGNATURE);
  }

  @Test
  void aMemoryRecordOverAMegabyteIsNotPublishedAndTheStreamGoesOn() {
    // 2,048 test entries of 128 floats: the eighth step's record (1,048,576 bytes of features)
    // is over the limit, the seventh's (1,792 entries, 917,504 bytes) is not
    int batch = 256;
    try (ModelRegistry large = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL,
        memoryBundleDir, new ModelCatalog.Adaptation("adanpc", batch, 1_000,
            Map.of("capacity", "3000"))), RuntimeOptions.cpu(1), false)) {
      java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
      java.io.PrintStream err = System.err;
      Published out;
      System.setErr(new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
      try {
        out = run(large, TrafficFixtures.samples("a", 8 * batch, 40, 9));
      } finally {
        System.setErr(err);
      }

      assertThat(out.params()).extracting(NormParamsUpdate::getVersion)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(out.memory()).extracting(MemoryUpdate::getVersion)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(out.memoryBytes().get(6).length).isBetween(917_504, 1_000_000);
      assertThat(log.toString(StandardCharsets.UTF_8))
          .contains("WARN", TrafficFixtures.MODEL + "/a: a memory of ",
              "larger than the 1000000 a default Kafka broker accepts");
    }
  }

  @Test
  void aMethodWithoutMemoryPublishesNone() {
    Published out = run(tent, TrafficFixtures.samples("a", 2 * BATCH, 40, 5));

    assertThat(out.params()).hasSize(2);
    assertThat(out.memory()).isEmpty();
  }

  @Test
  void scramblingTheLabelsChangesNoMemory() {
    List<InferenceSample> samples = TrafficFixtures.samples("a", 3 * BATCH, 40, 7);
    List<Integer> labels = new ArrayList<>(samples.stream().map(InferenceSample::getLabel)
        .toList());
    Collections.shuffle(labels, new Random(3));
    List<InferenceSample> scrambled = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      scrambled.add(InferenceSample.newBuilder(samples.get(i)).setLabel(labels.get(i)).build());
    }

    Published original = run(t3a, samples);
    Published other = run(t3a, scrambled);

    assertThat(other.memory()).extracting(MemoryUpdate::getVersion)
        .isEqualTo(original.memory().stream().map(MemoryUpdate::getVersion).toList());
    for (int i = 0; i < original.memory().size(); i++) {
      assertThat(other.memory().get(i).getFeatures().getData())
          .isEqualTo(original.memory().get(i).getFeatures().getData());
      assertThat(other.memory().get(i).getLabels())
          .isEqualTo(original.memory().get(i).getLabels());
    }
  }

  /** A two-entry memory of dim 2 that changed at {@code changedAt}, in a step of version 5. */
  static Outputs outputs(long changedAt) {
    return new Outputs(new float[] {0.5f, 0.5f}, 2, 5, Map.of(),
        new Outputs.Diagnostics(1, 1, 0.7f, false, Outputs.BatchStatistics.NONE),
        Optional.of(new Outputs.Memory(Outputs.Memory.Kind.KNN, 2,
            new float[] {1, 0, 0, 1}, new int[] {0, 1}, new float[] {1, 1}, changedAt,
            Optional.of(new Outputs.Memory.Vote(7, 0.25f, "ab".repeat(32))))));
  }

  static NormParamsUpdate params(UpdateKind kind) {
    return NormParamsUpdate.newBuilder().setModel("m").setCohort("c").setVersion(5)
        .setBaseVersion(4).setKind(kind).setMethod("adanpc").setLayers(List.of()).setSamples(5)
        .setMeanEntropy(0.7f).setCreatedAt(Instant.EPOCH).setKeyId("")
        .setSignature(ByteBuffer.allocate(0)).build();
  }

  @Test
  void anUnchangedMemoryIsNotPublishedAgain() {
    assertThat(CohortStepper.memoryUpdate(params(UpdateKind.ADAPTED), outputs(4), false, false))
        .isNull();
    MemoryUpdate changed = CohortStepper.memoryUpdate(params(UpdateKind.ADAPTED), outputs(5),
        false, false);
    assertThat(changed.getVersion()).isEqualTo(5);
    assertThat(changed.getFeatures().getShape()).containsExactly(2, 2);
    assertThat(floats(changed.getFeatures().getData())).containsExactly(1, 0, 0, 1);
    assertThat(changed.getLabels()).containsExactly(0, 1);
    assertThat(changed.getK()).isEqualTo(7);
    assertThat(changed.getTemperature()).isEqualTo(0.25f);
    assertThat(changed.getSourceMemorySha256()).isEqualTo("ab".repeat(32));
  }

  @Test
  void whenTheGuardRevertsAnEmptyMemoryIsPublishedOnceAndTheAdaptedOneWhenItResumes() {
    MemoryUpdate reverted = CohortStepper.memoryUpdate(params(UpdateKind.SOURCE), outputs(5),
        false, true);
    assertThat(reverted.getFeatures().getShape()).containsExactly(0, 2);
    assertThat(reverted.getLabels()).isEmpty();
    assertThat(reverted.getFeatures().getData().remaining()).isZero();
    assertThat(reverted.getK()).as("the vote rides along an empty kNN memory").isEqualTo(7);
    // still reverted: the memory changes, but the edges keep predicting with the head
    assertThat(CohortStepper.memoryUpdate(params(UpdateKind.SOURCE), outputs(5), false, false))
        .isNull();
    // resumed: the current memory, even though this step did not change it
    MemoryUpdate resumed = CohortStepper.memoryUpdate(params(UpdateKind.ADAPTED), outputs(3),
        false, true);
    assertThat(resumed.getLabels()).containsExactly(0, 1);
  }

  static float[] floats(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(out);
    return out;
  }
}
