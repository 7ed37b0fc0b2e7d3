package io.attune.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.serde.CohortKeySerde;
import io.attune.schemas.serde.RecordType;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void defaultNamesAreAttuneDotRole() {
    assertThat(Topics.defaults().all()).extracting(Topic::name).containsExactly(
        "attune.traffic", "attune.params", "attune.memory", "attune.alerts",
        "attune.predictions", "attune.dlq");
  }

  @Test
  void paramsAndMemoryAreCompactedTheOthersDeletedAfterTheirRetention() {
    final Topics topics = Topics.defaults();

    assertThat(topics.all()).filteredOn(Topic::compacted).extracting(Topic::id)
        .containsExactly(TopicId.PARAMS, TopicId.MEMORY);
    assertThat(topics.params().configs()).containsExactly(Map.entry("cleanup.policy", "compact"));
    assertThat(topics.params().retentionMs()).isEmpty();
    assertThat(topics.traffic().configs()).containsOnly(Map.entry("cleanup.policy", "delete"),
        Map.entry("retention.ms", "604800000"));
    assertThat(topics.dlq().retentionMs()).contains(30L * 24 * 3600 * 1000);
  }

  @Test
  void perCohortTopicsAreKeyedByCohortTheDlqByRawKeyBytes() {
    final Topics topics = Topics.defaults();

    assertThat(topics.traffic().keySerde()).isSameAs(CohortKeySerde.get());
    assertThat(topics.traffic().valueSerde()).isSameAs(RecordType.INFERENCE_SAMPLE.serde());
    assertThat(topics.params().valueSerde()).isSameAs(RecordType.NORM_PARAMS_UPDATE.serde());
    assertThat(topics.dlq().keySerde().deserializer().deserialize("t", new byte[] {1, 2}))
        .containsExactly(1, 2);
    assertThat(topics.dlq().valueSerde()).isSameAs(RecordType.DEAD_LETTER.serde());
  }

  @Test
  void aPrefixRenamesEveryTopicAndAnOverrideNamesOneWhole() {
    final Topics topics = Topics.fromConfig(Map.of("topic.prefix", "staging.",
        "topic.traffic", "edge-uploads", "bootstrap.servers", "ignored:9092"));

    assertThat(topics.all()).extracting(Topic::name).containsExactly("edge-uploads",
        "staging.params", "staging.memory", "staging.alerts", "staging.predictions",
        "staging.dlq");
    assertThat(topics.get(TopicId.TRAFFIC)).isSameAs(topics.traffic());
  }

  @Test
  void everyBadTopicKeyIsReportedAtOnceWithItsKey() {
    assertThatThrownBy(() -> Topics.fromConfig(Map.of("topic.trafic", "x", "topic.dlq", " ",
        "topic.params", "a b")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topic.params")
        .hasMessageContaining("unknown key topic.trafic (topic keys: topic.prefix, "
            + "topic.traffic, topic.params,")
        .hasMessageContaining("topic.dlq is empty");
    assertThatThrownBy(() -> Topics.fromConfig(Map.of("topic.params", "a b",
        "topic.alerts", "..")))
        .hasMessage("topic.params: topic name 'a b' may hold only letters, digits, '.', '_' and "
            + "'-'; topic.alerts: topic name '..' is reserved");
  }

  @Test
  void twoRolesOnOneTopicAreRefusedNamingBothKeys() {
    assertThatThrownBy(() -> Topics.fromConfig(Map.of("topic.alerts", "attune.dlq")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("topic.alerts and topic.dlq both name topic 'attune.dlq'");
  }

  @Test
  void anIllegalPrefixIsReportedOnce() {
    assertThatThrownBy(() -> Topics.fromConfig(Map.of("topic.prefix", "my prefix/")))
        .hasMessage("topic.prefix='my prefix/' may hold only letters, digits, '.', '_' and '-'");
  }

  @Test
  void newTopicCarriesNamePartitionsAndConfigs() {
    final NewTopic params = Topics.defaults().params().newTopic(6, (short) 3);

    assertThat(params.name()).isEqualTo("attune.params");
    assertThat(params.numPartitions()).isEqualTo(6);
    assertThat(params.replicationFactor()).isEqualTo((short) 3);
    assertThat(params.configs()).containsEntry("cleanup.policy", "compact");
    final NewTopic traffic = Topics.defaults().traffic().newTopic();
    assertThat(traffic.numPartitions()).isEqualTo(-1);
    assertThat(traffic.configs()).containsEntry("retention.ms", "604800000");
  }
}
