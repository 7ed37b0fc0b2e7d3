package io.attune.edge.internal;

import io.attune.edge.RejectReason;
import io.attune.schemas.DType;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.ByteOrder;
import java.security.PublicKey;
import java.util.List;

/**
 * The checks a memory update passes before an edge predicts with it, in the order of
 * {@link UpdateVerifier}: signed by the trusted key, for this device's model and cohort, newer
 * than the held memory, then its content: a kind this edge can predict with, features
 * {@code FLOAT32 [entries, dim]} in the bundle's feature dimension, one label per entry, each a
 * class of the model at most once, finite values.
 */
public final class MemoryVerifier {

  private final EnvelopeCheck envelope;
  private final int classes;
  private final int dim;

  public MemoryVerifier(String model, String cohort, PublicKey trustedKey, int classes,
      int dim) {
    this.envelope = new EnvelopeCheck(model, cohort, trustedKey);
    this.classes = classes;
    this.dim = dim;
  }

  /**
   * The prototypes as a {@code [classes, dim]} matrix (a class without an entry has a zero row,
   * as T3A's prototype of a class without supports), or null for an empty memory: predict with
   * the model's own head.
   *
   * @param heldVersion the memory version the device holds now (0: none)
   * @throws Rejection with the first check that failed
   */
  public float[] verify(MemoryUpdate update, long heldVersion) throws Rejection {
    envelope.check(UpdateSignatures.verify(update, envelope.trustedKey()), update.getKeyId(),
        update.getModel(), update.getCohort(), update.getVersion(), heldVersion,
        "memory version");
    if (update.getKind() != MemoryKind.PROTOTYPES) {
      throw new Rejection(RejectReason.UNSUPPORTED, update.getKind() + " memory of '"
          + update.getMethod() + "': an edge predicts with PROTOTYPES only; a kNN vote needs "
          + "the bundle's source memory and the method's k and temperature, which a "
          + "MemoryUpdate does not carry");
    }
    List<Integer> shape = update.getFeatures().getShape();
    List<Integer> labels = update.getLabels();
    if (update.getFeatures().getDtype() != DType.FLOAT32 || shape.size() != 2
        || shape.get(1) != dim || shape.get(0) != labels.size()
        || update.getFeatures().getData().remaining() != (long) labels.size() * dim * 4) {
      throw new Rejection(RejectReason.LAYOUT_MISMATCH, "features " + update.getFeatures()
          .getDtype() + " " + shape + " with " + labels.size() + " labels, expected FLOAT32 ["
          + labels.size() + ", " + dim + "]");
    }
    if (labels.isEmpty()) {
      return null;
    }
    float[] rows = new float[labels.size() * dim];
    update.getFeatures().getData().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .get(rows);
    float[] prototypes = new float[classes * dim];
    boolean[] seen = new boolean[classes];
    for (int i = 0; i < labels.size(); i++) {
      int c = labels.get(i);
      if (c < 0 || c >= classes || seen[c]) {
        throw new Rejection(RejectReason.LAYOUT_MISMATCH, "entry " + i + " is labelled " + c
            + ": labels must be distinct classes in [0, " + classes + ")");
      }
      seen[c] = true;
      for (int d = 0; d < dim; d++) {
        float v = rows[i * dim + d];
        if (!Float.isFinite(v)) {
          throw new Rejection(RejectReason.NON_FINITE, "entry " + i + " holds " + v);
        }
        prototypes[c * dim + d] = v;
      }
    }
    return prototypes;
  }
}
