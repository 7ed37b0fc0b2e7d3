package io.attune.schemas.serde;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of one record type in Avro single-object encoding (see {@link SingleObjectCodec}):
 * no schema registry, and records written under any older released schema still decode. A null
 * value (a tombstone on a compacted topic) stays null both ways. Needs no configuration; stateless
 * and thread-safe.
 *
 * @param <T> the record class
 */
public final class SingleObjectSerde<T> implements Serde<T> {

  private final SingleObjectCodec<T> codec;
  private final Serializer<T> serializer;
  private final Deserializer<T> deserializer;

  /** A serde over {@code codec}; {@link RecordType#serde()} has one per record type. */
  public SingleObjectSerde(SingleObjectCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.serializer = new SingleObjectSerializer<>(codec);
    this.deserializer = new SingleObjectDeserializer<>(codec);
  }

  /** The codec both directions use. */
  public SingleObjectCodec<T> codec() {
    return codec;
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
