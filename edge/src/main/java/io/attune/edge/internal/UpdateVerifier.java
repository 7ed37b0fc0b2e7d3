package io.attune.edge.internal;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.signing.UpdateSignatures;
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

  private final EnvelopeCheck envelope;
  private final LayerDecoder layers;

  public UpdateVerifier(String model, String cohort, PublicKey trustedKey,
      List<BundleManifest.Layer> bundleLayers) {
    this.envelope = new EnvelopeCheck(model, cohort, trustedKey);
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
    envelope.check(UpdateSignatures.verify(update, envelope.trustedKey()), update.getKeyId(),
        update.getModel(), update.getCohort(), update.getVersion(), heldVersion, "version");
    return layers.decode(update.getLayers());
  }
}
