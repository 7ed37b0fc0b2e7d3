package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.InferenceSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Records cross schema versions in both directions where Avro's resolution allows: a writer
 * older or newer than the reader, fields added with defaults or removed.
 */
class SchemaEvolutionTest {

  private static final Schema CURRENT = InferenceSample.getClassSchema();
  private static final Schema TENSOR = CURRENT.getField("input").schema();

  /** An older InferenceSample: no device or label yet, and a site field since removed. */
  private static final Schema OLDER = evolve(CURRENT, Set.of("device", "label"),
      List.of(new Schema.Field("site", Schema.create(Schema.Type.STRING), "Removed later.")));

  /** A newer InferenceSample: device removed, a priority added with a default. */
  private static final Schema NEWER = evolve(CURRENT, Set.of("device"),
      List.of(new Schema.Field("priority", Schema.create(Schema.Type.INT), "Added later.", 0)));

  @Test
  void recordsOfAnOlderWriterDecodeIntoTheCurrentClass() throws IOException {
    final GenericRecord old = new GenericData.Record(OLDER);
    old.put("model", "fmnist-resnet");
    old.put("cohort", "site-3");
    old.put("sampleId", "s-1");
    old.put("input", tensor(new byte[] {1, 2, 3, 4}));
    old.put("site", "berlin");
    final SingleObjectCodec<InferenceSample> current = new SingleObjectCodec<>(
        SpecificData.getForClass(InferenceSample.class), CURRENT, List.of(OLDER));

    final InferenceSample decoded = current.decode(encode(OLDER, old));

    assertThat(decoded.getSampleId()).isEqualTo("s-1");
    assertThat(decoded.getDevice()).isNull();
    assertThat(decoded.getLabel()).isNull();
    assertThat(decoded.getInput().getData()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
  }

  @Test
  void aNewerReaderReadsCurrentRecordsFillingAddedFieldsWithTheirDefault() {
    final byte[] bytes = RecordType.INFERENCE_SAMPLE.codec().encode(ExampleRecords.sample());
    final SingleObjectCodec<GenericRecord> newer = SingleObjectCodec.generic(NEWER,
        RecordType.INFERENCE_SAMPLE.history());

    final GenericRecord decoded = newer.decode(bytes);

    assertThat(decoded.get("priority")).isEqualTo(0);
    assertThat(decoded.hasField("device")).isFalse();
    assertThat(decoded.get("sampleId").toString()).isEqualTo("site-3:17");
    assertThat(decoded.get("label")).isEqualTo(4);
  }

  @Test
  void theCurrentClassReadsANewerWriterOnceItKnowsItsSchema() throws IOException {
    final GenericRecord newer = new GenericData.Record(NEWER);
    newer.put("model", "fmnist-resnet");
    newer.put("cohort", "site-3");
    newer.put("sampleId", "s-2");
    newer.put("input", tensor(new byte[] {9}));
    newer.put("label", 7);
    newer.put("priority", 5);
    final byte[] bytes = encode(NEWER, newer);

    assertThatThrownBy(() -> RecordType.INFERENCE_SAMPLE.codec().decode(bytes))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("not a known version of InferenceSample");
    final SingleObjectCodec<InferenceSample> aware = new SingleObjectCodec<>(
        SpecificData.getForClass(InferenceSample.class), CURRENT, List.of(NEWER));
    final InferenceSample decoded = aware.decode(bytes);
    assertThat(decoded.getLabel()).isEqualTo(7);
    assertThat(decoded.getDevice()).isNull();
  }

  @Test
  void aWriterSchemaTheCurrentOneCannotReadIsRefusedWhenTheCodecIsBuilt() {
    final Schema incompatible = evolve(CURRENT, Set.of("label"),
        List.of(new Schema.Field("label", Schema.create(Schema.Type.STRING), "Now text.")));

    assertThatThrownBy(() -> SingleObjectCodec.generic(CURRENT, List.of(incompatible)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("InferenceSample cannot read writer schema")
        .hasMessageContaining("label");
  }

  @Test
  void historyResourcesAreReadInVersionOrderUntilTheFirstGap() {
    final List<Schema> versions = SchemaHistory.load("Probe");

    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).getField("added")).isNull();
    assertThat(versions.get(1).getField("added")).isNotNull();
    final SingleObjectCodec<GenericRecord> v2 = SingleObjectCodec.generic(versions.get(1),
        versions);
    final GenericRecord v1Record = new GenericData.Record(versions.get(0));
    v1Record.put("id", "x");
    final GenericRecord decoded = v2.decode(
        SingleObjectCodec.generic(versions.get(0), List.of()).encode(v1Record));
    assertThat(decoded.get("added").toString()).isEqualTo("none");
  }

  @Test
  void aRecordWithoutHistoryCannotBeCatalogued() {
    assertThatThrownBy(() -> SchemaHistory.load("NoSuchRecord"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io/attune/schemas/history/NoSuchRecord/v1.avsc");
  }

  private static GenericRecord tensor(byte[] data) {
    final GenericRecord tensor = new GenericData.Record(TENSOR);
    tensor.put("dtype", new GenericData.EnumSymbol(TENSOR.getField("dtype").schema(), "UINT8"));
    tensor.put("shape", List.of(data.length));
    tensor.put("data", ByteBuffer.wrap(data));
    return tensor;
  }

  private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record, out);
    return out.toByteArray();
  }

  /** {@code record} without the fields named in {@code removed} and with {@code added}. */
  private static Schema evolve(Schema record, Set<String> removed, List<Schema.Field> added) {
    final List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      if (!removed.contains(field.name())) {
        fields.add(new Schema.Field(field, field.schema()));
      }
    }
    fields.addAll(added);
    return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false,
        fields);
  }
}
