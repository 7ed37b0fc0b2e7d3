package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SingleObjectSerdeTest {

  static Stream<RecordType<?>> recordTypes() {
    return RecordType.all().stream();
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void everyRecordTypeRoundTripsThroughItsSerde(RecordType<?> type) {
    roundTrip(type);
  }

  private static <T extends SpecificRecord> void roundTrip(RecordType<T> type) {
    final T record = type.recordClass().cast(ExampleRecords.all().get(type.recordClass()));
    final Serde<T> serde = type.serde();

    final byte[] bytes = serde.serializer().serialize("t", record);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(record);
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void bytesStartWithTheMarkerAndTheLittleEndianFingerprintOfTheCurrentSchema(
      RecordType<?> type) {
    final byte[] bytes = encodeExample(type);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
        .isEqualTo(type.fingerprint());
  }

  private static <T extends SpecificRecord> byte[] encodeExample(RecordType<T> type) {
    return type.codec().encode(type.recordClass().cast(
        ExampleRecords.all().get(type.recordClass())));
  }

  @Test
  void nullStaysNullBothWaysForTombstones() {
    final Serde<NormParamsUpdate> serde = RecordType.NORM_PARAMS_UPDATE.serde();

    assertThat(serde.serializer().serialize("attune.params", null)).isNull();
    assertThat(serde.deserializer().deserialize("attune.params", null)).isNull();
  }

  @Test
  void aRecordWithARequiredFieldLeftNullFailsNamingTopicTypeAndField() {
    final InferenceSample sample = ExampleRecords.sample();
    sample.setCohort(null);

    assertThatThrownBy(() -> RecordType.INFERENCE_SAMPLE.serde().serializer()
        .serialize("attune.traffic", sample))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("attune.traffic")
        .hasMessageContaining("InferenceSample")
        .hasMessageContaining("cohort");
  }

  @Test
  void decodedTensorBytesAreTheEncodedOnes() {
    final InferenceSample sample = ExampleRecords.sample();

    final InferenceSample back = RecordType.INFERENCE_SAMPLE.codec()
        .decode(RecordType.INFERENCE_SAMPLE.codec().encode(sample));

    assertThat(back.getInput().getData()).isEqualTo(sample.getInput().getData());
    assertThat(back.getInput().getShape()).containsExactly(1, 28, 28);
  }

  @Test
  void recordTypeOfAClassIsTheCatalogued() {
    assertThat(RecordType.of(InferenceSample.class)).isSameAs(RecordType.INFERENCE_SAMPLE);
    assertThatThrownBy(() -> RecordType.of(io.attune.schemas.Tensor.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Tensor");
  }
}
