package io.attune.edge;

/**
 * Why an edge refused a parameters or memory update. {@link EdgeModel#apply} checks in the order listed
 * here, from the signature inwards, and reports the first failure; a refused update is never
 * applied, only counted ({@link EdgeStats#rejected()}) and logged.
 */
public enum RejectReason {
  /** The bytes did not decode as the update (reported by the subscriber). */
  MALFORMED,
  /** No signature or no key id. */
  UNSIGNED,
  /** Signed by a key other than the one this device trusts (key id differs). */
  UNKNOWN_KEY,
  /** The Ed25519 signature does not verify: the update was altered, or forged. */
  BAD_SIGNATURE,
  /** Meant for another model. */
  WRONG_MODEL,
  /** Adapted on another cohort's traffic. */
  WRONG_COHORT,
  /** Not newer than the version this device holds: stale or replayed. */
  STALE,
  /** Its layers are not the bundle's: missing, extra, renamed, wrong dtype or shape. */
  LAYOUT_MISMATCH,
  /** A value is NaN or infinite. */
  NON_FINITE,
  /**
   * A memory this edge cannot predict with: a kNN memory without its vote's {@code k} and
   * temperature (written under MemoryUpdate schema version 1).
   */
  UNSUPPORTED,
  /**
   * A kNN memory that extends a source memory other than the device bundle's (its
   * {@code sourceMemorySha256} differs), or the bundle keeps no source memory: the vote would
   * not be the worker's.
   */
  SOURCE_MISMATCH
}
