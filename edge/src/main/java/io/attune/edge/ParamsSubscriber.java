package io.attune.edge;

import io.attune.edge.internal.CohortPartition;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.serde.RecordType;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@link EdgeModel} on its cohort's newest parameters: a background thread reads the
 * compacted params topic and hands each update keyed with the device's {@code model/cohort} to
 * {@link EdgeModel#apply}, which verifies it.
 *
 * <p>On start it reads the cohort's partition from the beginning up to its end (the last stable
 * offset: the consumer reads committed records only, as the worker publishes in exactly-once
 * transactions) and applies only the newest update found, which compaction keeps as the
 * cohort's current parameters; then it applies each new update as it arrives. If that newest
 * update is refused, the device keeps the source parameters until a valid one arrives.
 *
 * <p>Partition choice: the consumer is assigned the single partition the default partitioner
 * puts the key in ({@code toPositive(murmur2(utf8(key))) % partitions}, as producers and Kafka
 * Streams do for keyed records), and skips the other cohorts' records in it. A device thus reads
 * about {@code 1/partitions} of the topic instead of all of it, joins no consumer group (no
 * rebalances, no committed offsets: the compacted topic itself is the state, re-read on every
 * start) and can run on thousands of devices. The cost: it relies on the publisher using the
 * default partitioner on UTF-8 string keys (Attune's {@code CohortKeySerde} writes exactly those
 * bytes); a topic repartitioned while running is noticed on the next start only.
 *
 * <p>{@link #startMemory} does the same with the memory topic and {@link EdgeModel#apply(
 * MemoryUpdate)}, for cohorts adapted by T3A or AdaNPC.
 *
 * <p>Refused updates are counted and logged by the model; undecodable values are counted as
 * {@link RejectReason#MALFORMED}. A failure of the consumer itself stops the thread; it is
 * logged and kept in {@link #failure()}.
 */
public final class ParamsSubscriber implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ParamsSubscriber.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_RETRY = Duration.ofSeconds(1);

  private final EdgeModel model;
  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final java.util.function.Consumer<byte[]> handler;
  private final byte[] key;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  private ParamsSubscriber(EdgeModel model, String topic, Consumer<byte[], byte[]> consumer,
      java.util.function.Consumer<byte[]> handler, String what) {
    this.model = Objects.requireNonNull(model, "model");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.key = CohortPartition.keyBytes(model.options().key());
    this.thread = new Thread(this::run, "attune-" + what + "-" + model.options().key());
    this.thread.setDaemon(true);
  }

  /**
   * Starts a subscriber with its own KafkaConsumer.
   *
   * @param kafka consumer properties: at least {@code bootstrap.servers}, plus security
   *     settings as needed; isolation level, deserializers and auto-commit are set here
   * @param topic the params topic, {@code attune.params} by default
   */
  public static ParamsSubscriber start(EdgeModel model, String topic, Map<String, Object> kafka) {
    return start(model, topic, new KafkaConsumer<>(consumerConfig(kafka, model.options().key()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer()), ParamsSubscriber::decode);
  }

  /**
   * The caller's properties with what the subscriber needs: committed records only, no group
   * (it assigns its partition and commits nothing), never creating the topic (a device must not
   * create the params topic uncompacted; it waits for the worker's), a client id naming the
   * cohort unless given.
   */
  static Map<String, Object> consumerConfig(Map<String, Object> kafka, String key) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "attune-edge-" + key);
    return config;
  }

  /**
   * Starts a subscriber on a consumer the caller made (configured {@code read_committed},
   * without a group subscription); the subscriber owns and closes it.
   *
   * @param decoder value bytes to an update; throws on malformed bytes
   */
  public static ParamsSubscriber start(EdgeModel model, String topic,
      Consumer<byte[], byte[]> consumer, Function<byte[], NormParamsUpdate> decoder) {
    Objects.requireNonNull(decoder, "decoder");
    return started(new ParamsSubscriber(model, topic, consumer, value -> {
      NormParamsUpdate update;
      try {
        update = decoder.apply(value);
      } catch (RuntimeException e) {
        model.reject(RejectReason.MALFORMED, -1, e.getMessage());
        return;
      }
      model.apply(update);
    }, "params"));
  }

  /**
   * Starts a subscriber that keeps the model on its cohort's newest memory instead
   * ({@link EdgeModel#apply(MemoryUpdate)}), from the compacted memory topic
   * ({@code attune.memory} by default), with the same partition choice and catch-up.
   */
  public static ParamsSubscriber startMemory(EdgeModel model, String topic,
      Map<String, Object> kafka) {
    return startMemory(model, topic, new KafkaConsumer<>(consumerConfig(kafka,
        model.options().key()), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
  }

  /** {@link #startMemory(EdgeModel, String, Map)} on a consumer the caller made. */
  public static ParamsSubscriber startMemory(EdgeModel model, String topic,
      Consumer<byte[], byte[]> consumer) {
    return started(new ParamsSubscriber(model, topic, consumer, value -> {
          MemoryUpdate update;
          try {
            update = RecordType.MEMORY_UPDATE.codec().decode(value);
          } catch (RuntimeException e) {
            model.reject(RejectReason.MALFORMED, -1, e.getMessage());
            return;
          }
          model.apply(update);
        }, "memory"));
  }

  private static ParamsSubscriber started(ParamsSubscriber subscriber) {
    subscriber.thread.start();
    return subscriber;
  }

  /**
   * Avro single-object encoding, as Attune's serdes write it, under any released schema of
   * NormParamsUpdate.
   *
   * @throws io.attune.schemas.serde.MalformedRecordException if the bytes are not one
   */
  public static NormParamsUpdate decode(byte[] value) {
    return RecordType.NORM_PARAMS_UPDATE.codec().decode(value);
  }

  /**
   * Waits until the newest update present at start has been handed to the model (or there was
   * none), or the subscriber stopped.
   *
   * @return whether catching up finished within the timeout
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
  }

  /** What stopped the thread, if something did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  private void run() {
    try {
      TopicPartition partition = assign();
      catchUp(partition);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          handleIfOurs(r);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(e);
    } catch (RuntimeException e) {
      // a wakeup while stopping is how close() ends the poll
      failed(e);
    } finally {
      caughtUp.countDown();
      consumer.close();
    }
  }

  private TopicPartition assign() throws InterruptedException {
    while (running) {
      List<org.apache.kafka.common.PartitionInfo> partitions = consumer.partitionsFor(topic);
      if (partitions != null && !partitions.isEmpty()) {
        TopicPartition tp = new TopicPartition(topic,
            CohortPartition.of(key, partitions.size()));
        consumer.assign(List.of(tp));
        LOG.info("{}: reading {} (of {} partitions)", model.options().key(), tp,
            partitions.size());
        return tp;
      }
      LOG.info("{}: topic {} not found yet; retrying", model.options().key(), topic);
      Thread.sleep(METADATA_RETRY.toMillis());
    }
    throw new WakeupException();
  }

  private void catchUp(TopicPartition partition) {
    consumer.seekToBeginning(List.of(partition));
    long end = consumer.endOffsets(List.of(partition)).get(partition);
    byte[] newest = null;
    while (running && consumer.position(partition) < end) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        if (isOurs(r)) {
          newest = r.value();
        }
      }
    }
    if (newest != null) {
      handle(newest);
    }
    caughtUp.countDown();
  }

  private boolean isOurs(ConsumerRecord<byte[], byte[]> r) {
    return r.value() != null && Arrays.equals(key, r.key());
  }

  private void handleIfOurs(ConsumerRecord<byte[], byte[]> r) {
    if (isOurs(r)) {
      handle(r.value());
    }
  }

  private void handle(byte[] value) {
    handler.accept(value);
  }

  private void failed(Throwable e) {
    if (!running) {
      return;
    }
    failure = e;
    LOG.error("{}: params subscriber stopped: {}", model.options().key(), e.toString(), e);
  }

  /** Stops the thread and closes the consumer; the model keeps its parameters. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join();
  }
}
