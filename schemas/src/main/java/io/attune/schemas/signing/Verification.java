package io.attune.schemas.signing;

/** The outcome of checking an update's signature against a public key. */
public enum Verification {
  /** Signed by the key's owner, and unchanged since. */
  VALID,
  /** No signature (empty or null), or no key id. */
  UNSIGNED,
  /** The update names another signing key than the one it was checked with. */
  KEY_MISMATCH,
  /** The signature does not match the content: tampered with, corrupted, or forged. */
  INVALID_SIGNATURE;

  /** Whether the update may be applied. */
  public boolean valid() {
    return this == VALID;
  }
}
