package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * MemoryUpdate version 2 added the kNN vote ({@code k}, {@code temperature}) and the source
 * memory reference, with defaults: records of version 1 still decode and verify, and a reader of
 * version 1 given the new schema reads the new records.
 */
class MemoryUpdateEvolutionTest {

  private static final KeyPair KEYS = SigningKeys.generate();

  private static Schema version(int v) {
    return RecordType.MEMORY_UPDATE.history().get(v - 1);
  }

  @Test
  void versionTwoIsBackwardAndForwardCompatibleWithVersionOne() {
    assertThat(RecordType.MEMORY_UPDATE.history()).hasSize(2);
    assertThat(version(1).getField("k")).isNull();
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(version(2), version(1))
        .getType()).as("new reader, old writer").isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(version(1), version(2))
        .getType()).as("old reader, new writer").isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void aRecordOfTheOldSchemaDecodesWithTheKnnFieldsNotGivenAndItsSignatureStillVerifies() {
    // signed as a version-1 worker signs (the kNN fields at their defaults), written under v1
    MemoryUpdate signed = UpdateSignatures.sign(ExampleRecords.memory(), KEYS);
    GenericRecord old = new GenericData.Record(version(1));
    for (Schema.Field f : version(1).getFields()) {
      Object value = signed.get(f.name());
      old.put(f.name(), f.name().equals("kind")
          ? new GenericData.EnumSymbol(f.schema(), value.toString())
          : f.name().equals("features") ? tensor(f.schema(), signed) : value);
    }
    old.put("createdAt", signed.getCreatedAt().toEpochMilli());
    byte[] bytes = SingleObjectCodec.generic(version(1), List.of(version(1))).encode(old);

    MemoryUpdate decoded = RecordType.MEMORY_UPDATE.codec().decode(bytes);

    assertThat(decoded.getK()).isZero();
    assertThat(decoded.getTemperature()).isZero();
    assertThat(decoded.getSourceMemorySha256()).isEmpty();
    assertThat(decoded.getKind()).isEqualTo(MemoryKind.PROTOTYPES);
    assertThat(decoded.getLabels()).containsExactly(0, 9);
    assertThat(UpdateSignatures.verify(decoded, KEYS.getPublic())).isEqualTo(Verification.VALID);
  }

  @Test
  void anOldReaderGivenTheNewSchemaReadsAKnnRecordWithoutItsNewFields() {
    byte[] bytes = RecordType.MEMORY_UPDATE.codec().encode(
        UpdateSignatures.sign(ExampleRecords.knnMemory(), KEYS));

    GenericRecord read = SingleObjectCodec.generic(version(1), RecordType.MEMORY_UPDATE
        .history()).decode(bytes);

    assertThat(read.hasField("k")).isFalse();
    assertThat(read.get("kind").toString()).isEqualTo("KNN");
    assertThat(read.get("labels")).isEqualTo(List.of(0, 9));
  }

  private static GenericRecord tensor(Schema schema, MemoryUpdate update) {
    GenericRecord t = new GenericData.Record(schema);
    t.put("dtype", new GenericData.EnumSymbol(schema.getField("dtype").schema(),
        update.getFeatures().getDtype().name()));
    t.put("shape", update.getFeatures().getShape());
    t.put("data", ByteBuffer.wrap(bytes(update.getFeatures().getData())));
    return t;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
