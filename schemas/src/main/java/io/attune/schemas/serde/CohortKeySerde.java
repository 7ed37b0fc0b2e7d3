package io.attune.schemas.serde;

import io.attune.schemas.CohortKey;
import io.attune.schemas.serde.MalformedRecordException.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Keys as the UTF-8 bytes of {@code model/cohort}: the same bytes as Kafka's string serde, so
 * partitioning agrees with any client that writes the key as a string. A key that is not valid
 * UTF-8 or not {@code model/cohort} fails with {@link MalformedRecordException}
 * ({@link Problem#BAD_KEY}); null stays null. Stateless and thread-safe.
 */
public final class CohortKeySerde implements Serde<CohortKey> {

  private static final CohortKeySerde INSTANCE = new CohortKeySerde();

  private final Serializer<CohortKey> serializer =
      (topic, key) -> key == null ? null : key.format().getBytes(StandardCharsets.UTF_8);
  private final Deserializer<CohortKey> deserializer = CohortKeySerde::decode;

  private CohortKeySerde() {}

  /** The serde. */
  public static CohortKeySerde get() {
    return INSTANCE;
  }

  @Override
  public Serializer<CohortKey> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<CohortKey> deserializer() {
    return deserializer;
  }

  private static CohortKey decode(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    final String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedRecordException(Problem.BAD_KEY, "topic " + topic + ": key of "
          + bytes.length + " bytes is not UTF-8", e);
    }
    try {
      return CohortKey.parse(text);
    } catch (IllegalArgumentException e) {
      throw new MalformedRecordException(Problem.BAD_KEY, "topic " + topic + ": "
          + e.getMessage(), e);
    }
  }
}
