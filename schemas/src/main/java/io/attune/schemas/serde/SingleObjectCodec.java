package io.attune.schemas.serde;

import io.attune.schemas.serde.MalformedRecordException.Problem;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Avro single-object encoding of one record type: writes with the current schema, reads what any
 * known writer schema wrote, resolved into the current one.
 *
 * <p>The framing (Avro specification, "Single-object encoding"): two marker bytes {@code C3 01},
 * the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema's parsing canonical form
 * ({@link SchemaNormalization#parsingFingerprint64}), then the Avro binary encoding of the record.
 * Documentation and {@code avro.java.string} properties are not part of the canonical form, so
 * they never change a fingerprint.
 *
 * <p>Decoding never lets an Avro or JDK exception escape: every failure is a
 * {@link MalformedRecordException} naming the record type, the byte count and the problem. Before
 * materializing a record, the body is skipped once under the writer schema, which reads no length
 * beyond the bytes at hand; so a garbage length prefix is reported as truncation instead of
 * allocating gigabytes. A body followed by extra bytes is rejected too.
 *
 * <p>Thread-safe: Avro's message encoder and decoder keep their buffers per thread.
 *
 * @param <T> the class records decode into: a generated SpecificRecord or {@link GenericRecord}
 */
public final class SingleObjectCodec<T> {

  /** Length of the single-object header: marker and fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;

  private final Schema schema;
  private final String typeName;
  private final Map<Long, Schema> writers;
  private final String knownFingerprints;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  /**
   * A codec that encodes with {@code schema} and decodes what {@code schema} or any of
   * {@code writerSchemas} wrote.
   *
   * @param model the data model records are built with: the generated class's
   *     {@code SpecificData} (it holds the logical-type conversions) or {@link GenericData#get()}
   * @param schema the current (reader and writer) schema
   * @param writerSchemas older versions whose records must stay readable
   * @throws IllegalArgumentException naming the first writer schema that {@code schema} cannot
   *     read, with Avro's explanation
   */
  public SingleObjectCodec(GenericData model, Schema schema, Collection<Schema> writerSchemas) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.typeName = schema.getName();
    final Map<Long, Schema> known = new LinkedHashMap<>();
    for (Schema writer : writerSchemas) {
      requireReadable(schema, writer);
      known.put(fingerprint(writer), writer);
    }
    known.put(fingerprint(schema), schema);
    this.writers = Map.copyOf(known);
    this.knownFingerprints = String.join(", ", known.keySet().stream()
        .map(SingleObjectCodec::hex).toList());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    known.values().forEach(decoder::addSchema);
  }

  /** A codec into {@link GenericRecord}s of {@code schema}, e.g. a newer schema than the classes. */
  public static SingleObjectCodec<GenericRecord> generic(Schema schema,
      Collection<Schema> writerSchemas) {
    return new SingleObjectCodec<>(GenericData.get(), schema, writerSchemas);
  }

  /** CRC-64-AVRO fingerprint of {@code schema}'s parsing canonical form, as in the header. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The current schema: what {@link #encode} writes and {@link #decode} returns. */
  public Schema schema() {
    return schema;
  }

  /** Fingerprints of every schema this codec reads, the current one included. */
  public Set<Long> readableFingerprints() {
    return writers.keySet();
  }

  /**
   * The single-object encoding of {@code datum} under the current schema.
   *
   * @throws SerializationException if the datum does not fit the schema (a required field is
   *     null, a value has the wrong type), with Avro's message naming the field
   */
  public byte[] encode(T datum) {
    Objects.requireNonNull(datum, "datum");
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(datum, out);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + typeName + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes single-object-encoded bytes written under any readable schema into the current one.
   *
   * @throws MalformedRecordException if the bytes are short, lack the marker, carry an unknown
   *     fingerprint, or are not a valid encoding under the writer schema
   */
  public T decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    final Schema writer = writerOf(bytes);
    validateBody(bytes, writer);
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw malformed(Problem.INVALID, bytes, "does not resolve into the current schema: "
          + e.getMessage(), e);
    }
  }

  private Schema writerOf(byte[] bytes) {
    if (bytes.length < HEADER_LENGTH) {
      throw malformed(Problem.TRUNCATED, bytes, "shorter than the " + HEADER_LENGTH
          + "-byte single-object header", null);
    }
    if (bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
      throw malformed(Problem.BAD_MARKER, bytes, String.format(Locale.ROOT,
          "starts with %02X %02X, not the single-object marker C3 01", bytes[0], bytes[1]), null);
    }
    final long fingerprint = fingerprintAt(bytes);
    final Schema writer = writers.get(fingerprint);
    if (writer == null) {
      throw malformed(Problem.UNKNOWN_SCHEMA, bytes, "writer schema fingerprint "
          + hex(fingerprint) + " is not a known version of " + typeName + " (known: "
          + knownFingerprints + ")", null);
    }
    return writer;
  }

  /** Skips the body under the writer schema: no allocation, lengths checked against the bytes. */
  private void validateBody(byte[] bytes, Schema writer) {
    final BinaryDecoder body = DecoderFactory.get()
        .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
    final boolean atEnd;
    try {
      GenericDatumReader.skip(writer, body);
      atEnd = body.isEnd();
    } catch (EOFException e) {
      throw malformed(Problem.TRUNCATED, bytes, "the bytes end inside the record", e);
    } catch (IOException | RuntimeException e) {
      throw malformed(Problem.INVALID, bytes, "not a valid encoding under writer schema "
          + hex(fingerprint(writer)) + ": " + describe(e), e);
    }
    if (!atEnd) {
      throw malformed(Problem.TRAILING_BYTES, bytes, "the record ends before the bytes do", null);
    }
  }

  private MalformedRecordException malformed(Problem problem, byte[] bytes, String what,
      Throwable cause) {
    return new MalformedRecordException(problem,
        typeName + " of " + bytes.length + " bytes: " + what, cause);
  }

  private static long fingerprintAt(byte[] bytes) {
    long fingerprint = 0;
    for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
    }
    return fingerprint;
  }

  /** The fingerprint as its 8 header bytes in hex, the way a hex dump of the message shows it. */
  static String hex(long fingerprint) {
    final StringBuilder out = new StringBuilder(16);
    for (int i = 0; i < 8; i++) {
      out.append(String.format(Locale.ROOT, "%02x", (fingerprint >>> (8 * i)) & 0xFF));
    }
    return out.toString();
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void requireReadable(Schema reader, Schema writer) {
    final SchemaCompatibility.SchemaPairCompatibility check =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (check.getType() != SchemaCompatibilityType.COMPATIBLE) {
      throw new IllegalArgumentException(reader.getName() + " cannot read writer schema "
          + hex(fingerprint(writer)) + ": " + check.getDescription());
    }
  }
}
