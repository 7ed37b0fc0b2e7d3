package io.attune.simulators.demo;

import io.attune.schemas.DriftAlert;
import io.attune.schemas.Topic;
import io.attune.schemas.CohortKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows the alerts topic on a thread of its own, as an operator's consumer would: committed
 * records only ({@code read_committed}: the worker writes alerts in the same transaction as the
 * step's parameters), decoded by the topic catalogue's serdes, handed to a listener and kept
 * for the report.
 */
public final class AlertFeed implements AutoCloseable {

  private final KafkaConsumer<CohortKey, DriftAlert> consumer;
  private final Thread thread;
  private final List<DriftAlert> received = new CopyOnWriteArrayList<>();
  private volatile RuntimeException failure;

  private AlertFeed(KafkaConsumer<CohortKey, DriftAlert> consumer,
      Consumer<DriftAlert> listener) {
    this.consumer = consumer;
    this.thread = new Thread(() -> poll(listener), "attune-demo-alerts");
    this.thread.setDaemon(true);
  }

  /**
   * Starts following {@code topic} from its beginning.
   *
   * @param consumerConfig at least {@code bootstrap.servers}
   * @param listener told each alert as it arrives, on the feed's thread
   */
  public static AlertFeed start(Map<String, Object> consumerConfig,
      Topic<CohortKey, DriftAlert> topic, Consumer<DriftAlert> listener) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "attune-demo-alerts");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<CohortKey, DriftAlert> consumer = new KafkaConsumer<>(config,
        topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    consumer.subscribe(List.of(topic.name()));
    AlertFeed feed = new AlertFeed(consumer, listener);
    feed.thread.start();
    return feed;
  }

  private void poll(Consumer<DriftAlert> listener) {
    try {
      while (true) {
        for (ConsumerRecord<CohortKey, DriftAlert> r : consumer.poll(Duration.ofMillis(500))) {
          received.add(r.value());
          listener.accept(r.value());
        }
      }
    } catch (WakeupException e) {
      // close() asked the poll to end
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** The alerts received so far, in arrival order. */
  public List<DriftAlert> alerts() {
    return new ArrayList<>(received);
  }

  /** @throws IllegalStateException when the feed stopped on an error */
  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    thread.join(Duration.ofSeconds(10).toMillis());
    if (failure != null) {
      throw new IllegalStateException("following the alerts topic failed: "
          + failure.getMessage(), failure);
    }
  }
}
