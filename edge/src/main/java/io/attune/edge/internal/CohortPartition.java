package io.attune.edge.internal;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** Where Kafka's default partitioner puts a {@code model/cohort} key. */
public final class CohortPartition {

  private CohortPartition() {}

  /** The key's bytes as Attune's key serde (and Kafka's string serializer) write them. */
  public static byte[] keyBytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code toPositive(murmur2(key)) % partitions}, the default partitioner's choice. */
  public static int of(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
