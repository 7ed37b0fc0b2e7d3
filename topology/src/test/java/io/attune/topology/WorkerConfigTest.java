package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

  static final Map<String, String> MINIMAL = Map.of("bootstrap.servers", "localhost:9092",
      "catalog.file", "catalog.json", "signing.key.file", "worker.key", "topic.partitions", "3");

  @Test
  void aMinimalConfigIsValidAndDefaultsToExactlyOnce() {
    assertThat(WorkerConfig.validate(MINIMAL)).isEmpty();
    WorkerConfig config = new WorkerConfig(MINIMAL);
    assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(config.topics().traffic().name()).isEqualTo("attune.traffic");
    assertThat(config.topics().params().compacted()).isTrue();
  }

  @Test
  void everyProblemIsReportedAtOnceNamingItsKey() {
    var problems = WorkerConfig.validate(Map.of("num.stream.threads", "0",
        "processing.guarantee", "sometimes", "topic.params", "attune.traffic"));
    assertThat(String.join("\n", problems)).contains("bootstrap.servers",
        "signing.key.file", "num.stream.threads", "processing.guarantee", "topic.params");
  }

  @Test
  void kafkaPrefixedKeysReachKafkaStreamsWithoutThePrefix() {
    var props = new java.util.HashMap<>(MINIMAL);
    props.put("kafka.security.protocol", "SSL");
    assertThat(new WorkerConfig(props).streamsProperties().get("security.protocol"))
        .isEqualTo("SSL");
  }

  @Test
  void theConfigReferenceDocIsGeneratedFromTheDefinition() throws Exception {
    Path doc = io.attune.adaptation.RepoRoot.find().resolve("docs/worker-config.md");
    String expected = WorkerConfig.referenceDocument();
    if (Boolean.getBoolean("attune.regenerate")) {
      Files.writeString(doc, expected);
    }
    assertThat(doc).content().isEqualTo(expected);
  }
}
