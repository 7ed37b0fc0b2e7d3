package io.attune.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.edge.internal.CohortPartition;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.serde.RecordType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EdgeParamsSubscriberTest {

  private static final ModelBundle BUNDLE = ReferenceBundle.get();
  private static final String TOPIC = "attune.params";
  private static final int PARTITIONS = 6;
  private static final String KEY = Updates.MODEL + "/" + Updates.COHORT;

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final TopicPartition ours = new TopicPartition(TOPIC,
      CohortPartition.of(KEY.getBytes(StandardCharsets.UTF_8), PARTITIONS));
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private List<ConsumerRecord<byte[], byte[]>> present = new ArrayList<>();
  private EdgeModel model;

  @BeforeEach
  void setUp() {
    model = EdgeModel.open(BUNDLE, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
    List<PartitionInfo> infos = new ArrayList<>();
    Map<TopicPartition, Long> beginning = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      infos.add(new PartitionInfo(TOPIC, p, Node.noNode(), new Node[0], new Node[0]));
      beginning.put(new TopicPartition(TOPIC, p), 0L);
      next.put(new TopicPartition(TOPIC, p), 0L);
    }
    consumer.updatePartitions(TOPIC, infos);
    consumer.updateBeginningOffsets(beginning);
  }

  @AfterEach
  void tearDown() {
    model.close();
  }

  private static byte[] encode(NormParamsUpdate update) {
    return RecordType.NORM_PARAMS_UPDATE.codec().encode(update);
  }

  private static byte[] version(long v) {
    return encode(Updates.signed(BUNDLE, v, Updates.perturbed(BUNDLE, v)));
  }

  /**
   * Appends a record to a partition: before {@link #markEnd()}, as present when the subscriber
   * starts (MockConsumer takes records for assigned partitions only, so they are added by the
   * first poll); after it, as arriving live.
   */
  private void append(TopicPartition tp, String key, byte[] value) {
    long offset = next.merge(tp, 1L, Long::sum) - 1;
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(tp.topic(), tp.partition(),
        offset, key.getBytes(StandardCharsets.UTF_8), value);
    if (present == null) {
      consumer.addRecord(record);
    } else {
      present.add(record);
    }
  }

  /** Fixes the end offsets the subscriber finds on start to what was appended so far. */
  private void markEnd() {
    consumer.updateEndOffsets(new HashMap<>(next));
    List<ConsumerRecord<byte[], byte[]>> atStart = present;
    consumer.schedulePollTask(() -> atStart.forEach(consumer::addRecord));
    present = null;
  }

  private ParamsSubscriber start() {
    return ParamsSubscriber.start(model, TOPIC, consumer, ParamsSubscriber::decode);
  }

  @Test
  void onStartOnlyTheNewestCompactedUpdateOfTheCohortIsApplied() throws Exception {
    append(ours, KEY, version(1));
    append(ours, KEY, version(2));
    append(ours, KEY, version(3));
    markEnd();

    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();

      assertThat(model.version()).isEqualTo(3);
      assertThat(model.stats().applied()).isEqualTo(1);
      assertThat(model.stats().rejectedTotal()).isZero();
    }
  }

  /** A signed memory of one random prototype per class, version {@code v}. */
  private static byte[] memory(long v) {
    int dim = BUNDLE.manifest().head().dim();
    java.util.Random random = new java.util.Random(v);
    float[] prototypes = new float[10 * dim];
    for (int i = 0; i < prototypes.length; i++) {
      prototypes[i] = (float) random.nextGaussian();
    }
    float[] weights = new float[10];
    java.util.Arrays.fill(weights, 1);
    return RecordType.MEMORY_UPDATE.codec().encode(EdgeMemoryTest.signed(EdgeMemoryTest.memory(
        new io.attune.adaptation.method.Outputs.Memory(
            io.attune.adaptation.method.Outputs.Memory.Kind.PROTOTYPES, dim, prototypes,
            java.util.stream.IntStream.range(0, 10).toArray(), weights, v,
            java.util.Optional.empty()), v), Updates.KEYS));
  }

  @Test
  void aMemorySubscriberAppliesTheNewestMemoryThenLiveOnesAndCountsGarbage() throws Exception {
    append(ours, KEY, memory(1));
    append(ours, KEY, memory(2));
    markEnd();

    try (ParamsSubscriber subscriber = ParamsSubscriber.startMemory(model, TOPIC, consumer)) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
      assertThat(model.memoryVersion()).isEqualTo(2);
      assertThat(model.predictsWithMemory()).isTrue();
      assertThat(model.version()).as("parameters untouched").isZero();

      append(ours, KEY, new byte[] {1, 2, 3});
      append(ours, KEY, memory(3));
      awaitTrue(() -> model.memoryVersion() == 3);
      assertThat(model.stats().rejected().get(RejectReason.MALFORMED)).isEqualTo(1);
    }
  }

  @Test
  void onlyTheDevicesPartitionIsAssigned() throws Exception {
    markEnd();
    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();

      awaitTrue(() -> consumer.assignment().equals(java.util.Set.of(ours)));
    }
  }

  @Test
  void otherCohortsSharingThePartitionAreSkipped() throws Exception {
    append(ours, KEY, version(1));
    append(ours, Updates.MODEL + "/site-b", version(7));
    markEnd();

    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();

      assertThat(model.version()).isEqualTo(1);
      assertThat(model.stats().rejectedTotal()).isZero();
    }
  }

  @Test
  void updatesArrivingLaterAreAppliedInTurnAndReplaysRejected() throws Exception {
    append(ours, KEY, version(1));
    markEnd();

    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
      append(ours, KEY, version(2));
      append(ours, KEY, version(1));
      append(ours, KEY, version(4));

      awaitTrue(() -> model.stats().applied() + model.stats().rejectedTotal() == 4);
      assertThat(model.version()).isEqualTo(4);
      assertThat(model.stats().applied()).isEqualTo(3);
      assertThat(model.stats().rejected().get(RejectReason.STALE)).isEqualTo(1);
    }
  }

  @Test
  void undecodableValuesAreCountedAsMalformed() throws Exception {
    append(ours, KEY, version(1));
    markEnd();

    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
      append(ours, KEY, new byte[] {1, 2, 3});
      append(ours, KEY, version(2));

      awaitTrue(() -> model.version() == 2);
      assertThat(model.stats().rejected().get(RejectReason.MALFORMED)).isEqualTo(1);
      assertThat(subscriber.failure()).isEmpty();
    }
  }

  @Test
  void anEmptyTopicLeavesTheSourceParameters() throws Exception {
    markEnd();
    try (ParamsSubscriber subscriber = start()) {
      assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
      assertThat(model.version()).isZero();
    }
  }

  @Test
  void closingStopsTheThreadAndClosesTheConsumer() throws Exception {
    markEnd();
    ParamsSubscriber subscriber = start();
    assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();

    subscriber.close();

    assertThat(consumer.closed()).isTrue();
    assertThat(subscriber.failure()).isEmpty();
  }

  @Test
  void theConsumerReadsCommittedRecordsOnlyAndJoinsNoGroup() {
    Map<String, Object> config = ParamsSubscriber.consumerConfig(Map.of(
        "bootstrap.servers", "broker:9092", "group.id", "fleet",
        "isolation.level", "read_uncommitted"), KEY);

    assertThat(config).containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", false)
        .containsEntry("allow.auto.create.topics", false)
        .containsEntry("bootstrap.servers", "broker:9092")
        .containsEntry("client.id", "attune-edge-" + KEY)
        .doesNotContainKey("group.id");
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
