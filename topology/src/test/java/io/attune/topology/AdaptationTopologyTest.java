package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DType;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;
import io.attune.schemas.Tensor;
import io.attune.topology.adapt.ModelRegistry;
import io.attune.topology.processor.SignedRecordCodecs;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import java.security.KeyPair;
import io.attune.topology.processor.RecordCodecs;
import io.attune.topology.processor.StepObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdaptationTopologyTest {

  static final AdaptationTopology.Settings SETTINGS = new AdaptationTopology.Settings(
      "traffic", "params", "memory", "predictions", "alerts", "dlq", Duration.ofMillis(100),
      64 * 1024);
  static final int BATCH = 4;
  static final long LATENCY_MS = 1_000;

  @TempDir
  static Path bundleDir;
  static ModelRegistry models;

  static final KeyPair KEYS = SigningKeys.generate();
  final RecordCodecs codecs = new SignedRecordCodecs(KEYS);
  TopologyTestDriver driver;
  TestInputTopic<byte[], byte[]> traffic;
  TestOutputTopic<byte[], byte[]> params;
  TestOutputTopic<byte[], byte[]> predictions;
  TestOutputTopic<byte[], byte[]> dlq;

  @BeforeAll
  static void prepareBundle() {
    ReferenceModel.prepareBundle(bundleDir);
    models = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL, bundleDir, "tent",
        BATCH, LATENCY_MS), RuntimeOptions.cpu(1), true);
  }

  @AfterAll
  static void closeModels() {
    models.close();
  }

  void start(Topology topology) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "attune-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(topology, props, Instant.EPOCH);
    traffic = driver.createInputTopic("traffic", new ByteArraySerializer(),
        new ByteArraySerializer());
    params = driver.createOutputTopic("params", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    predictions = driver.createOutputTopic("predictions", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  void startDefault() {
    start(AdaptationTopology.build(SETTINGS, models, codecs, StepObserver.NONE));
  }

  void send(InferenceSample s, long timestamp) {
    traffic.pipeInput(key(s), encode(s), timestamp);
  }

  static byte[] key(InferenceSample s) {
    return (s.getModel() + "/" + s.getCohort()).getBytes(StandardCharsets.UTF_8);
  }

  List<NormParamsUpdate> readParams() {
    List<NormParamsUpdate> out = new ArrayList<>();
    for (byte[] v : params.readValuesToList()) {
      out.add(decode(v, NormParamsUpdate.getDecoder()));
    }
    return out;
  }

  List<AdaptedPrediction> readPredictions() {
    List<AdaptedPrediction> out = new ArrayList<>();
    for (byte[] v : predictions.readValuesToList()) {
      out.add(decode(v, AdaptedPrediction.getDecoder()));
    }
    return out;
  }

  List<DeadLetter> readDeadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    for (byte[] v : dlq.readValuesToList()) {
      out.add(decode(v, DeadLetter.getDecoder()));
    }
    return out;
  }

  static <T> T decode(byte[] bytes, org.apache.avro.message.BinaryMessageDecoder<T> decoder) {
    try {
      return decoder.decode(bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aFullBatchIsAdaptedAndEverySampleIsPredicted() {
    startDefault();
    List<InferenceSample> samples = TrafficFixtures.samples("a", BATCH + 1, 0, 1);
    for (int i = 0; i < BATCH - 1; i++) {
      send(samples.get(i), i);
    }
    assertThat(params.isEmpty()).as("no step before the batch is full").isTrue();
    send(samples.get(BATCH - 1), BATCH - 1);
    List<NormParamsUpdate> updates = readParams();
    assertThat(updates).hasSize(1);
    NormParamsUpdate u = updates.get(0);
    assertThat(u.getVersion()).isEqualTo(1);
    assertThat(u.getBaseVersion()).isZero();
    assertThat(u.getSamples()).isEqualTo(BATCH);
    assertThat(UpdateSignatures.verify(u, KEYS.getPublic())).isEqualTo(Verification.VALID);
    assertThat(UpdateSignatures.verify(u, SigningKeys.generate().getPublic()))
        .isNotEqualTo(Verification.VALID);
    assertThat(u.getLayers()).hasSize(models.bundle(TrafficFixtures.MODEL).orElseThrow()
        .manifest().layers().size());
    assertThat(readPredictions()).extracting(AdaptedPrediction::getSampleId)
        .containsExactly("a-0", "a-1", "a-2", "a-3");
  }

  @Test
  void aPartialBatchIsAdaptedOnceItsOldestSampleIsOlderThanTheBoundInStreamTime() {
    startDefault();
    List<InferenceSample> a = TrafficFixtures.samples("a", 2, 0, 1);
    send(a.get(0), 0);
    send(a.get(1), 10);
    send(TrafficFixtures.samples("b", 1, 0, 1).get(0), LATENCY_MS - 1);
    assertThat(params.isEmpty()).as("stream time has not passed the bound").isTrue();
    send(TrafficFixtures.samples("c", 1, 0, 1).get(0), LATENCY_MS + 50);
    List<NormParamsUpdate> updates = readParams();
    assertThat(updates).extracting(NormParamsUpdate::getCohort).containsExactly("a");
    assertThat(updates.get(0).getSamples()).isEqualTo(2);
    assertThat(readPredictions()).extracting(AdaptedPrediction::getSampleId)
        .containsExactly("a-0", "a-1");
  }

  @Test
  void withTheWallClockBoundAQuietCohortsPartialBatchIsAdaptedWithoutANewerRecord() {
    AdaptationTopology.Settings wallClock = new AdaptationTopology.Settings("traffic", "params",
        "memory", "predictions", "alerts", "dlq", Duration.ofMillis(100), 64 * 1024,
        AdaptationTopology.LatencyClock.WALL_CLOCK);
    start(AdaptationTopology.build(wallClock, models, codecs, StepObserver.NONE));
    List<InferenceSample> a = TrafficFixtures.samples("a", 2, 0, 1);
    send(a.get(0), 0);
    send(a.get(1), 10 * LATENCY_MS);
    assertThat(params.isEmpty()).as("record timestamps do not cut wall-clock batches").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(LATENCY_MS - 200));
    assertThat(params.isEmpty()).as("%d ms after the first sample", LATENCY_MS - 200).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(300));
    List<NormParamsUpdate> updates = readParams();
    assertThat(updates).extracting(NormParamsUpdate::getCohort).containsExactly("a");
    assertThat(updates.get(0).getSamples()).isEqualTo(2);
    assertThat(readPredictions()).extracting(AdaptedPrediction::getSampleId)
        .containsExactly("a-0", "a-1");
    driver.advanceWallClockTime(Duration.ofMillis(5 * LATENCY_MS));
    assertThat(params.isEmpty()).as("an empty buffer is not stepped").isTrue();
  }

  @Test
  void onStreamTimeThePassingWallClockAloneCutsNoBatch() {
    startDefault();
    send(TrafficFixtures.samples("a", 1, 0, 1).get(0), 0);
    driver.advanceWallClockTime(Duration.ofMillis(10 * LATENCY_MS));
    assertThat(params.isEmpty()).isTrue();
    send(TrafficFixtures.samples("b", 1, 0, 1).get(0), LATENCY_MS);
    assertThat(readParams()).extracting(NormParamsUpdate::getCohort).containsExactly("a");
  }

  @Test
  void versionsOfACohortRunOneTwoThreeWithoutGapsAndCohortsCountSeparately() {
    startDefault();
    List<InferenceSample> a = TrafficFixtures.samples("a", 3 * BATCH, 0, 1);
    List<InferenceSample> b = TrafficFixtures.samples("b", 2 * BATCH, 0, 2);
    for (int i = 0; i < 3 * BATCH; i++) {
      send(a.get(i), i);
      if (i < b.size()) {
        send(b.get(i), i);
      }
    }
    List<NormParamsUpdate> updates = readParams();
    assertThat(updates.stream().filter(u -> u.getCohort().equals("a"))
        .map(NormParamsUpdate::getVersion)).containsExactly(1L, 2L, 3L);
    assertThat(updates.stream().filter(u -> u.getCohort().equals("b"))
        .map(NormParamsUpdate::getVersion)).containsExactly(1L, 2L);
  }

  @Test
  void everyKindOfBadRecordBecomesADeadLetterAndTheStreamGoesOn() {
    startDefault();
    InferenceSample good = TrafficFixtures.samples("a", 1, 0, 1).get(0);
    traffic.pipeInput("fmnist/a".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, 0);
    send(withModel(good, "unknown-model"), 1);
    send(withInput(good, DType.UINT8, List.of(3, 32, 32), new byte[3 * 32 * 32]), 2);
    send(withInput(good, DType.FLOAT32, List.of(1, 28, 28), floats(784, Float.NaN)), 3);
    traffic.pipeInput("fmnist/a".getBytes(StandardCharsets.UTF_8), new byte[64 * 1024 + 1], 4);
    traffic.pipeInput("fmnist/other".getBytes(StandardCharsets.UTF_8),
        encode(good), 5);
    List<DeadLetter> letters = readDeadLetters();
    assertThat(letters).extracting(DeadLetter::getReason).containsExactly(
        RejectReason.MALFORMED, RejectReason.UNKNOWN_MODEL, RejectReason.WRONG_SHAPE,
        RejectReason.NON_FINITE, RejectReason.OVERSIZE, RejectReason.KEY_MISMATCH);
    assertThat(letters).extracting(DeadLetter::getSourceOffset)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(letters).allSatisfy(l -> assertThat(l.getSourceTopic()).isEqualTo("traffic"));
    assertThat(letters.get(2).getDetail()).contains("[3, 32, 32]").contains("[1, 28, 28]");
    assertThat(letters.get(4).getValue()).as("oversize values are not copied").isNull();
    for (InferenceSample s : TrafficFixtures.samples("a", BATCH, 0, 1)) {
      send(s, 10);
    }
    assertThat(readParams()).as("the stream goes on after bad records").hasSize(1);
  }

  @Test
  void scramblingTheLabelsChangesNoPublishedByte() {
    List<InferenceSample> samples = TrafficFixtures.samples("a", 3 * BATCH, 60, 7);
    List<Integer> shuffled = new ArrayList<>(samples.stream().map(InferenceSample::getLabel)
        .toList());
    Collections.shuffle(shuffled, new Random(3));
    startDefault();
    samples.forEach(s -> send(s, 0));
    List<byte[]> paramsWithLabels = params.readValuesToList();
    List<AdaptedPrediction> predictionsWithLabels = readPredictions();
    driver.close();
    startDefault();
    for (int i = 0; i < samples.size(); i++) {
      send(InferenceSample.newBuilder(samples.get(i)).setLabel(i % 2 == 0 ? null
          : shuffled.get(i)).build(), 0);
    }
    assertThat(params.readValuesToList()).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(paramsWithLabels);
    List<AdaptedPrediction> scrambled = readPredictions();
    for (int i = 0; i < scrambled.size(); i++) {
      assertThat(scrambled.get(i).getProbabilities())
          .isEqualTo(predictionsWithLabels.get(i).getProbabilities());
    }
  }

  @Test
  void aBundleWithoutSourceLabelsIsAdaptedUnmonitoredAndRaisesNoAlert() {
    assertThat(models.drift(TrafficFixtures.MODEL)).as("the fixture bundle keeps source images "
        + "but no labels, so drift calibration is impossible").isEmpty();
    startDefault();
    TrafficFixtures.samples("a", 2 * BATCH, 0, 1).forEach(s -> send(s, 0));
    assertThat(readParams()).extracting(NormParamsUpdate::getKind)
        .containsExactly(io.attune.schemas.UpdateKind.ADAPTED,
            io.attune.schemas.UpdateKind.ADAPTED);
    assertThat(driver.getKeyValueStore(TopologyNames.DRIFT_MONITOR_STORE).approximateNumEntries())
        .isZero();
  }

  @Test
  void everyProcessorAndStoreHasAnExplicitName() {
    String description = AdaptationTopology.build(SETTINGS, models, codecs, StepObserver.NONE)
        .describe().toString();
    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-")
        .contains(TopologyNames.SAMPLE_BUFFER_STORE, TopologyNames.COHORT_PROGRESS_STORE,
            TopologyNames.METHOD_STATE_STORE, TopologyNames.DRIFT_MONITOR_STORE,
            TopologyNames.VALIDATE, TopologyNames.ADAPT, TopologyNames.ALERTS_SINK,
            TopologyNames.MEMORY_SINK);
  }

  static InferenceSample withModel(InferenceSample s, String model) {
    return InferenceSample.newBuilder(s).setModel(model).build();
  }

  static InferenceSample withInput(InferenceSample s, DType dtype, List<Integer> shape,
      byte[] data) {
    return InferenceSample.newBuilder(s).setInput(Tensor.newBuilder().setDtype(dtype)
        .setShape(shape).setData(ByteBuffer.wrap(data)).build()).build();
  }

  static byte[] floats(int n, float poison) {
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat(i == n / 2 ? poison : 0f);
    }
    return b.array();
  }

  static byte[] encode(InferenceSample s) {
    try {
      ByteBuffer b = s.toByteBuffer();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
