package io.attune.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that do not decode as the expected record: too short, not single-object encoded, written
 * with a schema this reader does not know, or not a valid Avro body. The message names the record
 * type, the byte count and what is wrong; {@link #problem()} says which of these it is, so that a
 * dead-letter handler can classify it without parsing the message. The Avro exception, if any, is
 * the cause.
 */
public final class MalformedRecordException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /** What is wrong with the bytes. */
  public enum Problem {
    /** Fewer bytes than the header, or the body ends before the record does. */
    TRUNCATED,
    /** The bytes do not start with the single-object marker {@code C3 01}. */
    BAD_MARKER,
    /** The schema fingerprint is not a known version of the record type. */
    UNKNOWN_SCHEMA,
    /** The record ends before the bytes do. */
    TRAILING_BYTES,
    /** The body is not a valid encoding under the writer schema (bad length, index, ...). */
    INVALID,
    /** A key is not a valid {@code model/cohort} string. */
    BAD_KEY
  }

  private final Problem problem;

  /** A failure without an underlying exception. */
  public MalformedRecordException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  /** A failure caused by a decoder exception, kept as the cause. */
  public MalformedRecordException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  /** Which kind of malformation this is. */
  public Problem problem() {
    return problem;
  }
}
