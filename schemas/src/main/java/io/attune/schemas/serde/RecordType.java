package io.attune.schemas.serde;

import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * One top-level record type of Attune's topics: its generated class, its current schema, every
 * released version of that schema, and its codec and serde.
 *
 * <pre>{@code
 * Serde<InferenceSample> serde = RecordType.INFERENCE_SAMPLE.serde();
 * byte[] bytes = RecordType.NORM_PARAMS_UPDATE.codec().encode(update);
 * }</pre>
 *
 * <p>The history is read from the resources described in {@code docs/schemas.md}; a record
 * written under any released version decodes into the current class. Changing a schema means
 * adding its next version to the history, which a test enforces.
 *
 * @param <T> the generated class
 */
public final class RecordType<T extends SpecificRecord> {

  /** Samples on {@code attune.traffic}. */
  public static final RecordType<InferenceSample> INFERENCE_SAMPLE =
      new RecordType<>(InferenceSample.class, InferenceSample.getClassSchema());
  /** Parameters on {@code attune.params}. */
  public static final RecordType<NormParamsUpdate> NORM_PARAMS_UPDATE =
      new RecordType<>(NormParamsUpdate.class, NormParamsUpdate.getClassSchema());
  /** Memories on {@code attune.memory}. */
  public static final RecordType<MemoryUpdate> MEMORY_UPDATE =
      new RecordType<>(MemoryUpdate.class, MemoryUpdate.getClassSchema());
  /** Predictions on {@code attune.predictions}. */
  public static final RecordType<AdaptedPrediction> ADAPTED_PREDICTION =
      new RecordType<>(AdaptedPrediction.class, AdaptedPrediction.getClassSchema());
  /** Alerts on {@code attune.alerts}. */
  public static final RecordType<DriftAlert> DRIFT_ALERT =
      new RecordType<>(DriftAlert.class, DriftAlert.getClassSchema());
  /** Rejected records on {@code attune.dlq}. */
  public static final RecordType<DeadLetter> DEAD_LETTER =
      new RecordType<>(DeadLetter.class, DeadLetter.getClassSchema());

  private static final List<RecordType<?>> ALL = List.of(INFERENCE_SAMPLE, NORM_PARAMS_UPDATE,
      MEMORY_UPDATE, ADAPTED_PREDICTION, DRIFT_ALERT, DEAD_LETTER);

  private final Class<T> recordClass;
  private final Schema schema;
  private final List<Schema> history;
  private final SingleObjectCodec<T> codec;
  private final SingleObjectSerde<T> serde;

  private RecordType(Class<T> recordClass, Schema schema) {
    this.recordClass = recordClass;
    this.schema = schema;
    this.history = SchemaHistory.load(schema.getName());
    this.codec = new SingleObjectCodec<>(SpecificData.getForClass(recordClass), schema, history);
    this.serde = new SingleObjectSerde<>(codec);
  }

  /** Every top-level record type, in topic order (traffic, params, memory, ...). */
  public static List<RecordType<?>> all() {
    return ALL;
  }

  /** The generated class. */
  public Class<T> recordClass() {
    return recordClass;
  }

  /** The record's simple name, e.g. {@code InferenceSample}; also its history folder. */
  public String name() {
    return schema.getName();
  }

  /** The current schema, the one the generated class was made from. */
  public Schema schema() {
    return schema;
  }

  /** Every released version of the schema, oldest (v1) first. */
  public List<Schema> history() {
    return history;
  }

  /** CRC-64-AVRO fingerprint of the current schema, as written in every record's header. */
  public long fingerprint() {
    return SingleObjectCodec.fingerprint(schema);
  }

  /** Encodes with the current schema, decodes any released version into {@code T}. */
  public SingleObjectCodec<T> codec() {
    return codec;
  }

  /** The Kafka serde over {@link #codec()}; stateless and thread-safe. */
  public SingleObjectSerde<T> serde() {
    return serde;
  }

  @Override
  public String toString() {
    return "RecordType[" + name() + ", " + history.size() + " version"
        + (history.size() == 1 ? "" : "s") + "]";
  }

  /** The record type of {@code recordClass}, if it is one of {@link #all()}. */
  @SuppressWarnings("unchecked")
  public static <R extends SpecificRecord> RecordType<R> of(Class<R> recordClass) {
    Objects.requireNonNull(recordClass, "recordClass");
    for (RecordType<?> type : ALL) {
      if (type.recordClass == recordClass) {
        return (RecordType<R>) type;
      }
    }
    throw new IllegalArgumentException(recordClass.getName()
        + " is not a top-level Attune record; those are " + ALL.stream().map(RecordType::name)
        .toList());
  }
}
