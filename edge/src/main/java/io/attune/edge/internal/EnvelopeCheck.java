package io.attune.edge.internal;

import io.attune.edge.RejectReason;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import java.security.PublicKey;

/**
 * What every signed update (parameters or memory) passes before its content is read: signed,
 * by the trusted key, with a valid signature; for this device's model and cohort; newer than
 * what the device holds. The signature comes first, so that no field of an unauthenticated
 * update is trusted, not even the version a replay check would compare.
 */
final class EnvelopeCheck {

  private final String model;
  private final String cohort;
  private final PublicKey trustedKey;
  private final String trustedKeyId;

  EnvelopeCheck(String model, String cohort, PublicKey trustedKey) {
    this.model = model;
    this.cohort = cohort;
    this.trustedKey = trustedKey;
    this.trustedKeyId = UpdateSignatures.keyId(trustedKey);
  }

  PublicKey trustedKey() {
    return trustedKey;
  }

  /**
   * @param verification the update's signature checked with {@link #trustedKey()}
   * @param what what the version counts, for the message: "version", "memory version"
   * @throws Rejection with the first check that failed
   */
  void check(Verification verification, String keyId, String updateModel, String updateCohort,
      long version, long heldVersion, String what) throws Rejection {
    switch (verification) {
      case VALID -> { }
      case UNSIGNED -> throw new Rejection(RejectReason.UNSIGNED, "no signature or no key id");
      case KEY_MISMATCH -> throw new Rejection(RejectReason.UNKNOWN_KEY, "signed by key "
          + keyId + ", this device trusts " + trustedKeyId);
      case INVALID_SIGNATURE -> throw new Rejection(RejectReason.BAD_SIGNATURE,
          "the signature of key " + trustedKeyId + " does not verify");
    }
    if (!model.equals(updateModel)) {
      throw new Rejection(RejectReason.WRONG_MODEL, "model '" + updateModel
          + "', this device runs '" + model + "'");
    }
    if (!cohort.equals(updateCohort)) {
      throw new Rejection(RejectReason.WRONG_COHORT, "cohort '" + updateCohort
          + "', this device is in '" + cohort + "'");
    }
    if (version <= heldVersion) {
      throw new Rejection(RejectReason.STALE, what + " " + version
          + " is not newer than the held " + heldVersion);
    }
  }
}
