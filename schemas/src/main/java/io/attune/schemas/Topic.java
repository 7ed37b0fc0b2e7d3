package io.attune.schemas;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * One of Attune's topics: its name, the serdes of its keys and values, and the topic-level
 * configs it must be created with (cleanup policy, retention). Immutable; obtained from
 * {@link Topics}.
 *
 * @param id the topic's role
 * @param name the topic's name in Kafka
 * @param keySerde serde of keys
 * @param valueSerde serde of values
 * @param configs topic-level configs, keys as in Kafka's {@link TopicConfig}
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(TopicId id, String name, Serde<K> keySerde, Serde<V> valueSerde,
    Map<String, String> configs) {

  /** Copies the configs; nothing may be null. */
  public Topic {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    configs = Map.copyOf(configs);
  }

  /** Whether Kafka keeps only the latest record per key ({@code cleanup.policy=compact}). */
  public boolean compacted() {
    return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
  }

  /** How long records are kept, in milliseconds; empty for a compacted topic. */
  public Optional<Long> retentionMs() {
    return Optional.ofNullable(configs.get(TopicConfig.RETENTION_MS_CONFIG)).map(Long::valueOf);
  }

  /** An admin-client request that creates this topic with its configs. */
  public NewTopic newTopic(int partitions, short replicationFactor) {
    return new NewTopic(name, partitions, replicationFactor).configs(configs);
  }

  /**
   * An admin-client request that creates this topic with its configs, and the broker's default
   * partition count and replication factor.
   */
  public NewTopic newTopic() {
    return new NewTopic(name, Optional.empty(), Optional.empty()).configs(configs);
  }

  @Override
  public String toString() {
    return "Topic[" + name + ", " + configs + "]";
  }
}
