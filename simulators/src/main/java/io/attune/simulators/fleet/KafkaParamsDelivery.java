package io.attune.simulators.fleet;

import io.attune.edge.EdgeModel;
import io.attune.edge.ParamsSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link ParamsSubscriber} per device, as each real device would run, and a second one on
 * the memory topic when one is given (cohorts adapted by T3A or AdaNPC predict with its
 * prototypes or kNN entries).
 */
public final class KafkaParamsDelivery implements ParamsDelivery {

  private final Map<String, Object> consumerConfig;
  private final String topic;
  private final String memoryTopic;
  private final List<ParamsSubscriber> subscribers = new ArrayList<>();

  /**
   * @param consumerConfig at least {@code bootstrap.servers}
   * @param topic the params topic
   */
  public KafkaParamsDelivery(Map<String, Object> consumerConfig, String topic) {
    this(consumerConfig, topic, null);
  }

  /**
   * @param consumerConfig at least {@code bootstrap.servers}
   * @param topic the params topic
   * @param memoryTopic the memory topic, or null to deliver parameters only
   */
  public KafkaParamsDelivery(Map<String, Object> consumerConfig, String topic,
      String memoryTopic) {
    this.consumerConfig = new HashMap<>(consumerConfig);
    this.topic = topic;
    this.memoryTopic = memoryTopic;
  }

  @Override
  public void connect(EdgeModel device) {
    subscribers.add(ParamsSubscriber.start(device, topic, config(device)));
    if (memoryTopic != null) {
      subscribers.add(ParamsSubscriber.startMemory(device, memoryTopic, config(device)));
    }
  }

  private Map<String, Object> config(EdgeModel device) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put("client.id", "attune-fleet-" + device.options().key() + "-" + subscribers.size());
    return config;
  }

  /** Waits until every subscriber has applied the newest update present when it started. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ParamsSubscriber s : subscribers) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!s.awaitCaughtUp(Duration.ofNanos(left))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    for (ParamsSubscriber s : subscribers) {
      try {
        s.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping params subscribers", e);
      }
    }
    subscribers.clear();
  }
}
