package io.attune.it;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.data.LabeledReader;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Tensor;
import io.attune.schemas.serde.RecordType;
import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import io.attune.simulators.corruption.ImageShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Traffic made of the shipped test split, and reading topics back as a user's client would. */
final class Traffic {

  static final String MODEL = "fmnist";
  private static final ImageShape SHAPE = new ImageShape(1, 28, 28);

  private Traffic() {}

  /** The first {@code count} test images under a corruption at a severity, labels attached. */
  static List<InferenceSample> corrupted(String cohort, String corruption, int severity,
      int count) {
    return images(cohort, 0, count, corruption, severity);
  }

  /**
   * Test images {@code from} to {@code from + count - 1}, under a corruption at a severity or
   * clean when {@code corruption} is null, labels attached.
   */
  static List<InferenceSample> images(String cohort, int from, int count, String corruption,
      int severity) {
    Corruption c = corruption == null ? null : CorruptionRegistry.standard().require(corruption);
    List<InferenceSample> out = new ArrayList<>();
    try (LabeledReader reader = LabeledReader.open(ReferenceModel.testImages(),
        ReferenceModel.testLabels())) {
      reader.images().readBytes(from);
      reader.labels().readLongs(from);
      byte[] pixels = reader.images().readBytes(count);
      long[] labels = reader.labels().readLongs(count);
      for (int i = 0; i < count; i++) {
        byte[] image = Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
        if (c != null) {
          image = c.apply(image, SHAPE, severity, from + i);
        }
        out.add(InferenceSample.newBuilder().setModel(MODEL).setCohort(cohort)
            .setSampleId(cohort + "-" + (from + i)).setDevice(null)
            .setInput(Tensor.newBuilder().setDtype(DType.UINT8).setShape(List.of(1, 28, 28))
                .setData(ByteBuffer.wrap(image)).build())
            .setLabel((int) labels[i]).build());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Sends every sample and waits for each acknowledgement, so that a test never runs on
   * traffic that silently did not arrive.
   */
  static void send(String bootstrap, String topic, List<InferenceSample> samples) {
    awaitLeaders(bootstrap, topic, Duration.ofMinutes(1));
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      // real timestamps: records stamped near 1970 would fall to the topic's time retention
      long t = System.currentTimeMillis();
      for (InferenceSample s : samples) {
        acks.add(producer.send(new ProducerRecord<>(topic, null, t++, key(s),
            RecordType.INFERENCE_SAMPLE.codec().encode(s))));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(1, TimeUnit.MINUTES);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("traffic not delivered to " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending traffic", e);
    }
  }

  /**
   * Waits until the broker names a leader for every partition of {@code topic} (when it exists
   * yet). A producer that starts while a just-created topic's partitions have no leader on the
   * broker can hold a partition's batch until it expires (seen once in a fresh-clone run:
   * "Expiring 19 record(s) for attune.traffic-1: 120001 ms has passed since batch creation").
   */
  static void awaitLeaders(String bootstrap, String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap))) {
      while (true) {
        try {
          TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
              .get(10, TimeUnit.SECONDS).get(topic);
          if (d.partitions().stream().allMatch(p -> p.leader() != null
              && !p.leader().isEmpty())) {
            return;
          }
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw new IllegalStateException("cannot describe " + topic, e);
          }
          return; // not created yet: the producer creates it, as before
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no leader for every partition of " + topic
              + " within " + timeout);
        }
        Thread.sleep(100);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer describing " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + topic, e);
    }
  }

  static byte[] key(InferenceSample s) {
    return (s.getModel() + "/" + s.getCohort()).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a topic from the beginning with {@code read_committed} until {@code expected}
   * records arrived (then a little longer, to catch extra ones) or the timeout passed.
   */
  static <T> List<T> readCommitted(String bootstrap, String topic, int expected,
      Duration timeout, Function<byte[], T> decode) {
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      long settleUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(decode.apply(r.value()));
        }
        if (out.size() >= expected && settleUntil == Long.MAX_VALUE) {
          settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        }
      }
    }
    return out;
  }
}
