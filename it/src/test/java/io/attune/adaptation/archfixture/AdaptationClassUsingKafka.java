package io.attune.adaptation.archfixture;

import org.apache.kafka.clients.producer.ProducerRecord;

/** Breaks the layering on purpose, so that LayeringTest can show its rule fails on it. */
public final class AdaptationClassUsingKafka {

  public ProducerRecord<String, String> record() {
    return new ProducerRecord<>("topic", "value");
  }
}
