package io.attune.edge.internal;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.edge.RejectReason;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

/**
 * The checks an update passes before an edge applies it, in order: signed, by the trusted key,
 * with a valid signature; for this device's model and cohort; newer than the held version; with
 * the bundle's layers. Checking the signature first means no field of an unauthenticated update
 * is trusted, not even the version a replay check would compare.
 */
public final class UpdateVerifier {

  private final String model;
  private final String cohort;
  private final PublicKey trustedKey;
  private final String trustedKeyId;
  private final LayerDecoder layers;

  public UpdateVerifier(String model, String cohort, PublicKey trustedKey,
      List<BundleManifest.Layer> bundleLayers) {
    this.model = model;
    this.cohort = cohort;
    this.trustedKey = trustedKey;
    this.trustedKeyId = UpdateSignatures.keyId(trustedKey);
    this.layers = new LayerDecoder(bundleLayers);
  }

  /**
   * The update's parameters by initializer name.
   *
   * @param heldVersion the version the device holds now
   * @throws Rejection with the first check that failed
   */
  public Map<String, float[]> verify(NormParamsUpdate update, long heldVersion)
      throws Rejection {
    checkSignature(update);
    if (!model.equals(update.getModel())) {
      throw new Rejection(RejectReason.WRONG_MODEL, "model '" + update.getModel()
          + "', this device runs '" + model + "'");
    }
    if (!cohort.equals(update.getCohort())) {
      throw new Rejection(RejectReason.WRONG_COHORT, "cohort '" + update.getCohort()
          + "', this device is in '" + cohort + "'");
    }
    if (update.getVersion() <= heldVersion) {
      throw new Rejection(RejectReason.STALE, "version " + update.getVersion()
          + " is not newer than the held " + heldVersion);
    }
    return layers.decode(update.getLayers());
  }

  private void checkSignature(NormParamsUpdate update) throws Rejection {
    Verification verification = UpdateSignatures.verify(update, trustedKey);
    switch (verification) {
      case VALID -> { }
      case UNSIGNED -> throw new Rejection(RejectReason.UNSIGNED, "no signature or no key id");
      case KEY_MISMATCH -> throw new Rejection(RejectReason.UNKNOWN_KEY, "signed by key "
          + update.getKeyId() + ", this device trusts " + trustedKeyId);
      case INVALID_SIGNATURE -> throw new Rejection(RejectReason.BAD_SIGNATURE,
          "the signature of key " + trustedKeyId + " does not verify");
    }
  }
}
