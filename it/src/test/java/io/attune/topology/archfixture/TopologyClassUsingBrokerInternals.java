package io.attune.topology.archfixture;

import java.util.Map;
import kafka.server.KafkaConfig;

/** Uses Kafka's server classes outside the embedded broker, so that the rule can fail on it. */
public final class TopologyClassUsingBrokerInternals {

  public KafkaConfig config(Map<String, String> properties) {
    return new KafkaConfig(properties);
  }
}
