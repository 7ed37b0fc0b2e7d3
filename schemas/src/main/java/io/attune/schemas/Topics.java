package io.attune.schemas;

import io.attune.schemas.serde.CohortKeySerde;
import io.attune.schemas.serde.RecordType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The catalogue of Attune's topics, one typed, immutable {@link Topic} per role:
 *
 * <table>
 *   <caption>Topics, with their default names</caption>
 *   <tr><th>topic</th><th>key</th><th>value</th><th>cleanup</th></tr>
 *   <tr><td>attune.traffic</td><td>{@link CohortKey}</td><td>{@link InferenceSample}</td>
 *       <td>delete after 7 days</td></tr>
 *   <tr><td>attune.params</td><td>{@link CohortKey}</td><td>{@link NormParamsUpdate}</td>
 *       <td>compact</td></tr>
 *   <tr><td>attune.memory</td><td>{@link CohortKey}</td><td>{@link MemoryUpdate}</td>
 *       <td>compact</td></tr>
 *   <tr><td>attune.alerts</td><td>{@link CohortKey}</td><td>{@link DriftAlert}</td>
 *       <td>delete after 30 days</td></tr>
 *   <tr><td>attune.predictions</td><td>{@link CohortKey}</td><td>{@link AdaptedPrediction}</td>
 *       <td>delete after 7 days</td></tr>
 *   <tr><td>attune.dlq</td><td>the rejected record's key bytes</td><td>{@link DeadLetter}</td>
 *       <td>delete after 30 days</td></tr>
 * </table>
 *
 * Keys are {@code model/cohort} in UTF-8 ({@link CohortKeySerde}); values are Avro single-object
 * encoded ({@link RecordType#serde()}). Names come from a {@link TopicsConfig}.
 */
public final class Topics {

  /** Retention of traffic and predictions: a week, to replay or re-evaluate recent days. */
  public static final Duration SHORT_RETENTION = Duration.ofDays(7);
  /** Retention of alerts and dead letters: a month, for the people who look into them. */
  public static final Duration LONG_RETENTION = Duration.ofDays(30);

  private static final Topics DEFAULTS = new Topics(TopicsConfig.defaults());

  private final TopicsConfig config;
  private final Topic<CohortKey, InferenceSample> traffic;
  private final Topic<CohortKey, NormParamsUpdate> params;
  private final Topic<CohortKey, MemoryUpdate> memory;
  private final Topic<CohortKey, DriftAlert> alerts;
  private final Topic<CohortKey, AdaptedPrediction> predictions;
  private final Topic<byte[], DeadLetter> dlq;

  private Topics(TopicsConfig config) {
    this.config = config;
    final CohortKeySerde keys = CohortKeySerde.get();
    traffic = new Topic<>(TopicId.TRAFFIC, config.nameOf(TopicId.TRAFFIC), keys,
        RecordType.INFERENCE_SAMPLE.serde(), deleteAfter(SHORT_RETENTION));
    params = new Topic<>(TopicId.PARAMS, config.nameOf(TopicId.PARAMS), keys,
        RecordType.NORM_PARAMS_UPDATE.serde(), compact());
    memory = new Topic<>(TopicId.MEMORY, config.nameOf(TopicId.MEMORY), keys,
        RecordType.MEMORY_UPDATE.serde(), compact());
    alerts = new Topic<>(TopicId.ALERTS, config.nameOf(TopicId.ALERTS), keys,
        RecordType.DRIFT_ALERT.serde(), deleteAfter(LONG_RETENTION));
    predictions = new Topic<>(TopicId.PREDICTIONS, config.nameOf(TopicId.PREDICTIONS), keys,
        RecordType.ADAPTED_PREDICTION.serde(), deleteAfter(SHORT_RETENTION));
    dlq = new Topic<>(TopicId.DLQ, config.nameOf(TopicId.DLQ), Serdes.ByteArray(),
        RecordType.DEAD_LETTER.serde(), deleteAfter(LONG_RETENTION));
  }

  /** The catalogue with the default names, {@code attune.traffic} and so on. */
  public static Topics defaults() {
    return DEFAULTS;
  }

  /** The catalogue with the names of {@code config}. */
  public static Topics of(TopicsConfig config) {
    return new Topics(Objects.requireNonNull(config, "config"));
  }

  /**
   * The catalogue with the names that the {@code topic.*} keys of {@code config} give (see
   * {@link TopicsConfig}); other keys are ignored.
   *
   * @throws org.apache.kafka.common.config.ConfigException listing every bad {@code topic.} key
   */
  public static Topics fromConfig(Map<String, String> config) {
    return of(TopicsConfig.from(config));
  }

  /** The names this catalogue was built from. */
  public TopicsConfig config() {
    return config;
  }

  /** Samples for adaptation; deleted after {@link #SHORT_RETENTION}. */
  public Topic<CohortKey, InferenceSample> traffic() {
    return traffic;
  }

  /** Signed normalization parameters; compacted. */
  public Topic<CohortKey, NormParamsUpdate> params() {
    return params;
  }

  /** Signed non-parametric memories; compacted. */
  public Topic<CohortKey, MemoryUpdate> memory() {
    return memory;
  }

  /** Drift alerts; deleted after {@link #LONG_RETENTION}. */
  public Topic<CohortKey, DriftAlert> alerts() {
    return alerts;
  }

  /** Adapted predictions; deleted after {@link #SHORT_RETENTION}. */
  public Topic<CohortKey, AdaptedPrediction> predictions() {
    return predictions;
  }

  /** Rejected records, keyed by their raw key bytes; deleted after {@link #LONG_RETENTION}. */
  public Topic<byte[], DeadLetter> dlq() {
    return dlq;
  }

  /** The topic of {@code id}. */
  public Topic<?, ?> get(TopicId id) {
    return switch (id) {
      case TRAFFIC -> traffic;
      case PARAMS -> params;
      case MEMORY -> memory;
      case ALERTS -> alerts;
      case PREDICTIONS -> predictions;
      case DLQ -> dlq;
    };
  }

  /** Every topic, in {@link TopicId} order. */
  public List<Topic<?, ?>> all() {
    return List.of(traffic, params, memory, alerts, predictions, dlq);
  }

  private static Map<String, String> compact() {
    return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  private static Map<String, String> deleteAfter(Duration retention) {
    return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
  }

  @Override
  public String toString() {
    return "Topics" + all().stream().map(Topic::name).toList();
  }
}
