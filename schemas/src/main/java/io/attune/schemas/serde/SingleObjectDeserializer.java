package io.attune.schemas.serde;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in Avro single-object encoding written under any known version of the schema,
 * resolved into the current one; null (a tombstone) stays null.
 *
 * @param <T> the record class
 */
public final class SingleObjectDeserializer<T> implements Deserializer<T> {

  private final SingleObjectCodec<T> codec;

  /** A deserializer over {@code codec}. */
  public SingleObjectDeserializer(SingleObjectCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /**
   * @throws MalformedRecordException naming the topic, the record type, the byte count and what
   *     is wrong, if the bytes are not a record of a known schema version
   */
  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return codec.decode(data);
    } catch (MalformedRecordException e) {
      throw new MalformedRecordException(e.problem(), "topic " + topic + ": " + e.getMessage(),
          e.getCause());
    }
  }
}
