package io.attune.schemas.serde;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes records in Avro single-object encoding under the current schema; null stays null.
 *
 * @param <T> the record class
 */
public final class SingleObjectSerializer<T> implements Serializer<T> {

  private final SingleObjectCodec<T> codec;

  /** A serializer over {@code codec}. */
  public SingleObjectSerializer(SingleObjectCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /**
   * @throws SerializationException naming the topic and, from Avro, the field, if the record does
   *     not fit its schema (a required field left null)
   */
  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    try {
      return codec.encode(data);
    } catch (SerializationException e) {
      throw new SerializationException("topic " + topic + ": " + e.getMessage(), e.getCause());
    }
  }
}
