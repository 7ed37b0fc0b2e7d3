package io.attune.edge.internal;

import io.attune.adaptation.method.KnnVote;
import io.attune.edge.RejectReason;
import io.attune.schemas.DType;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.ByteOrder;
import java.security.PublicKey;
import java.util.List;
import java.util.function.Supplier;

/**
 * The checks a memory update passes before an edge predicts with it, in the order of
 * {@link UpdateVerifier}: signed by the trusted key, for this device's model and cohort, newer
 * than the held memory, then its content. {@code PROTOTYPES}: one label per entry, each a class
 * of the model at most once. {@code KNN}: {@code k} and {@code temperature} given (a record of
 * schema version 1 has neither: {@link RejectReason#UNSUPPORTED}), and the source memory the
 * entries extend is the device bundle's ({@link RejectReason#SOURCE_MISMATCH} otherwise, or when
 * the bundle keeps none); labels classes of the model. Both: features
 * {@code FLOAT32 [entries, dim]} in the bundle's feature dimension, finite values.
 */
public final class MemoryVerifier {

  private final EnvelopeCheck envelope;
  private final int classes;
  private final int dim;
  private final Supplier<KnnVote> sourceVote;

  /**
   * @param sourceVote the kNN vote over the device bundle's source memory, asked for on the
   *     first kNN memory only; null when the bundle keeps no source memory
   */
  public MemoryVerifier(String model, String cohort, PublicKey trustedKey, int classes,
      int dim, Supplier<KnnVote> sourceVote) {
    this.envelope = new EnvelopeCheck(model, cohort, trustedKey);
    this.classes = classes;
    this.dim = dim;
    this.sourceVote = sourceVote;
  }

  /**
   * The memory to predict with, or null for an empty memory: predict with the model's own
   * head. Prototypes come as a {@code [classes, dim]} matrix (a class without an entry has a
   * zero row, as T3A's prototype of a class without supports).
   *
   * @param heldVersion the memory version the device holds now (0: none)
   * @throws Rejection with the first check that failed
   */
  public EdgeMemory verify(MemoryUpdate update, long heldVersion) throws Rejection {
    envelope.check(UpdateSignatures.verify(update, envelope.trustedKey()), update.getKeyId(),
        update.getModel(), update.getCohort(), update.getVersion(), heldVersion,
        "memory version");
    KnnVote vote = update.getKind() == MemoryKind.KNN ? knnVote(update) : null;
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
    for (int i = 0; i < rows.length; i++) {
      if (!Float.isFinite(rows[i])) {
        throw new Rejection(RejectReason.NON_FINITE, "entry " + i / dim + " holds " + rows[i]);
      }
    }
    int[] classOf = classes(labels, vote == null);
    return vote == null ? prototypes(rows, classOf)
        : new EdgeMemory.Knn(vote, rows, classOf, update.getK(), update.getTemperature());
  }

  /** The device's vote for a kNN memory whose vote and source it can reproduce. */
  private KnnVote knnVote(MemoryUpdate update) throws Rejection {
    float t = update.getTemperature();
    if (update.getK() < 1 || !(t > 0) || !Float.isFinite(t)) {
      throw new Rejection(RejectReason.UNSUPPORTED, "KNN memory of '" + update.getMethod()
          + "' with k " + update.getK() + " and temperature " + t + ": a kNN vote needs k >= 1 "
          + "and a finite temperature above 0 (a record of schema version 1 carries neither)");
    }
    String wanted = update.getSourceMemorySha256();
    KnnVote vote = sourceVote == null ? null : sourceVote.get();
    if (vote == null) {
      throw new Rejection(RejectReason.SOURCE_MISMATCH, "KNN memory extends source memory "
          + shortDigest(wanted) + ", but this device's bundle keeps no source memory");
    }
    if (!vote.sourceMemorySha256().equals(wanted)) {
      throw new Rejection(RejectReason.SOURCE_MISMATCH, "KNN memory extends source memory "
          + shortDigest(wanted) + ", this device's bundle has "
          + shortDigest(vote.sourceMemorySha256()));
    }
    return vote;
  }

  private static String shortDigest(String sha256) {
    return sha256.isEmpty() ? "(none given)"
        : "sha256 " + sha256.substring(0, Math.min(16, sha256.length())) + "...";
  }

  /** The labels as classes; with {@code distinct}, each class at most once. */
  private int[] classes(List<Integer> labels, boolean distinct) throws Rejection {
    int[] out = new int[labels.size()];
    boolean[] seen = new boolean[classes];
    for (int i = 0; i < out.length; i++) {
      int c = labels.get(i);
      if (c < 0 || c >= classes || (distinct && seen[c])) {
        throw new Rejection(RejectReason.LAYOUT_MISMATCH, "entry " + i + " is labelled " + c
            + ": labels must be " + (distinct ? "distinct " : "") + "classes in [0, "
            + classes + ")");
      }
      seen[c] = true;
      out[i] = c;
    }
    return out;
  }

  private EdgeMemory prototypes(float[] rows, int[] classOf) {
    float[] prototypes = new float[classes * dim];
    for (int i = 0; i < classOf.length; i++) {
      System.arraycopy(rows, i * dim, prototypes, classOf[i] * dim, dim);
    }
    return new EdgeMemory.Prototypes(prototypes, classes, dim);
  }
}
