package io.attune.topology.processor;

import java.nio.ByteBuffer;

/**
 * A cohort's bookkeeping, stored beside its buffered samples.
 *
 * @param nextSeq sequence number the next buffered sample gets; buffer keys are
 *     {@code model/cohort|seq} with seq zero-padded, so a prefix scan returns arrival order
 * @param buffered samples in the buffer now
 * @param oldestBuffered record timestamp of the oldest buffered sample (epoch millis), or
 *     {@link Long#MAX_VALUE} when the buffer is empty
 * @param newestBuffered newest record timestamp in the buffer
 * @param adapted samples adapted on so far
 * @param steps adaptation steps so far
 */
public record CohortProgress(long nextSeq, int buffered, long oldestBuffered,
    long newestBuffered, long adapted, long steps) {

  private static final int FORMAT = 1;

  public static CohortProgress empty() {
    return new CohortProgress(0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0, 0);
  }

  /** With one more sample buffered at {@code timestamp}. */
  public CohortProgress withBuffered(long timestamp) {
    return new CohortProgress(nextSeq + 1, buffered + 1, Math.min(oldestBuffered, timestamp),
        Math.max(newestBuffered, timestamp), adapted, steps);
  }

  /** After a step that consumed the whole buffer. */
  public CohortProgress afterStep() {
    return new CohortProgress(nextSeq, 0, Long.MAX_VALUE, Long.MIN_VALUE, adapted + buffered,
        steps + 1);
  }

  public byte[] encode() {
    return ByteBuffer.allocate(1 + 8 + 4 + 8 + 8 + 8 + 8).put((byte) FORMAT).putLong(nextSeq)
        .putInt(buffered).putLong(oldestBuffered).putLong(newestBuffered).putLong(adapted)
        .putLong(steps).array();
  }

  /** @throws IllegalStateException on bytes this version did not write (a store bug) */
  public static CohortProgress decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int format = b.get();
    if (format != FORMAT || bytes.length != 45) {
      throw new IllegalStateException("cohort progress record of format " + format + " and "
          + bytes.length + " bytes; this worker writes format " + FORMAT);
    }
    return new CohortProgress(b.getLong(), b.getInt(), b.getLong(), b.getLong(), b.getLong(),
        b.getLong());
  }

  /** Buffer key of the sample with sequence number {@code seq}. */
  public static String bufferKey(String cohortKey, long seq) {
    // the same key as String.format("%019d", seq), without a Formatter per sample
    String digits = Long.toString(seq);
    return bufferPrefix(cohortKey) + "0".repeat(Math.max(0, 19 - digits.length())) + digits;
  }

  /** Prefix of every buffer key of a cohort. */
  public static String bufferPrefix(String cohortKey) {
    return cohortKey + "|";
  }
}
