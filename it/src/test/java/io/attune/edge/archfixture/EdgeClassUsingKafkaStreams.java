package io.attune.edge.archfixture;

import org.apache.kafka.streams.StreamsBuilder;

/** Breaks the layering on purpose, so that LayeringTest can show its rule fails on it. */
public final class EdgeClassUsingKafkaStreams {

  public StreamsBuilder builder() {
    return new StreamsBuilder();
  }
}
