package io.attune.schemas.signing;

import io.attune.schemas.LayerParams;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Ed25519 signatures of {@link NormParamsUpdate} and {@link MemoryUpdate}, so that an edge applies
 * only parameters its worker produced. Uses the JDK's {@code Ed25519} provider.
 *
 * <h2>Canonical bytes</h2>
 *
 * What is signed is not the Avro encoding (re-encoding under a newer schema would change it) but
 * a layout of its own, fixed by a version tag. Primitives: {@code i32} and {@code i64} are
 * big-endian two's-complement integers of 4 and 8 bytes; {@code f32} is the IEEE-754 single as a
 * big-endian {@code i32} of its bits (NaN as {@code 0x7fc00000}); {@code str} is an {@code i32}
 * byte count then the UTF-8 bytes; {@code blob} is an {@code i32} byte count then the bytes; an
 * enum is {@code str} of its symbol; a timestamp is {@code i64} milliseconds since the epoch. A
 * {@code tensor} is {@code str dtype}, {@code i32 rank}, {@code rank x i32} dimensions,
 * {@code blob data}.
 *
 * <pre>
 * NormParamsUpdate                          MemoryUpdate
 *   str    "attune/params/v1"                 str    "attune/memory/v1" or "attune/memory/v2"
 *   str    keyId                              str    keyId
 *   str    model                              str    model
 *   str    cohort                             str    cohort
 *   i64    version                            i64    version
 *   i64    baseVersion                        str    kind       PROTOTYPES | KNN
 *   str    kind        ADAPTED | SOURCE       str    method
 *   str    method                             tensor features
 *   i64    samples                            i32    number of labels
 *   f32    meanEntropy                        i32    each label, in order
 *   i64    createdAt                          i64    createdAt
 *   i32    number of layers                   v2 only:
 *   per layer, in order:                        i32    k
 *     str    layer                              f32    temperature
 *     tensor scale, bias, mean, var             str    sourceMemorySha256
 * </pre>
 *
 * Every field but {@code signature} is covered, {@code keyId} included, so an update cannot be
 * passed off as signed by another key. A field added to a record by a later schema is signed
 * under a new tag. Which memory layout applies is decided by the record's content, never by
 * trying both: a {@code MemoryUpdate} whose kNN fields ({@code k}, {@code temperature},
 * {@code sourceMemorySha256}, added in schema version 2) all hold their defaults (0, 0.0, "")
 * is signed as {@code attune/memory/v1}, byte for byte what a version-1 worker signed, so old
 * records keep verifying; any other is signed as {@code attune/memory/v2}. Setting or clearing
 * a kNN field therefore changes the layout and breaks the signature either way. The layout, with
 * a Python verifier, is in {@code docs/schemas.md}.
 */
public final class UpdateSignatures {

  /** Tag that starts the canonical bytes of a {@link NormParamsUpdate}. */
  public static final String PARAMS_TAG = "attune/params/v1";
  /** Tag that starts the canonical bytes of a {@link MemoryUpdate}. */
  public static final String MEMORY_TAG = "attune/memory/v1";
  /**
   * Tag that starts the canonical bytes of a {@link MemoryUpdate} that carries a kNN field
   * ({@code k}, {@code temperature} or {@code sourceMemorySha256} other than its default).
   */
  public static final String MEMORY_KNN_TAG = "attune/memory/v2";
  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = 64;

  private static final String ALGORITHM = "Ed25519";
  private static final ByteBuffer UNSIGNED = ByteBuffer.allocate(0);

  private UpdateSignatures() {}

  /** The bytes a {@link NormParamsUpdate} signature covers (see the class documentation). */
  public static byte[] canonicalBytes(NormParamsUpdate update) {
    final CanonicalWriter out = new CanonicalWriter("NormParamsUpdate")
        .string("tag", PARAMS_TAG)
        .string("keyId", update.getKeyId())
        .string("model", update.getModel())
        .string("cohort", update.getCohort())
        .int64(update.getVersion())
        .int64(update.getBaseVersion())
        .string("kind", update.getKind() == null ? null : update.getKind().name())
        .string("method", update.getMethod())
        .int64(update.getSamples())
        .float32(update.getMeanEntropy())
        .int64(millis("createdAt", update.getCreatedAt()));
    if (update.getLayers() == null) {
      throw new IllegalArgumentException("NormParamsUpdate.layers is null");
    }
    out.int32(update.getLayers().size());
    for (LayerParams layer : update.getLayers()) {
      out.string("layer", layer.getLayer())
          .tensor("scale", layer.getScale())
          .tensor("bias", layer.getBias())
          .tensor("mean", layer.getMean())
          .tensor("var", layer.getVar());
    }
    return out.toByteArray();
  }

  /** The bytes a {@link MemoryUpdate} signature covers (see the class documentation). */
  public static byte[] canonicalBytes(MemoryUpdate update) {
    final boolean knn = carriesKnnFields(update);
    final CanonicalWriter out = new CanonicalWriter("MemoryUpdate")
        .string("tag", knn ? MEMORY_KNN_TAG : MEMORY_TAG)
        .string("keyId", update.getKeyId())
        .string("model", update.getModel())
        .string("cohort", update.getCohort())
        .int64(update.getVersion())
        .string("kind", update.getKind() == null ? null : update.getKind().name())
        .string("method", update.getMethod())
        .tensor("features", update.getFeatures())
        .ints("labels", update.getLabels())
        .int64(millis("createdAt", update.getCreatedAt()));
    if (knn) {
      out.int32(update.getK())
          .float32(update.getTemperature())
          .string("sourceMemorySha256", update.getSourceMemorySha256());
    }
    return out.toByteArray();
  }

  /**
   * Whether a memory update is signed under {@link #MEMORY_KNN_TAG}: one of the fields schema
   * version 2 added differs from its default ({@code -0.0} counts as different from 0).
   */
  public static boolean carriesKnnFields(MemoryUpdate update) {
    final CharSequence source = update.getSourceMemorySha256();
    return update.getK() != 0 || Float.floatToRawIntBits(update.getTemperature()) != 0
        || source == null || source.length() > 0;
  }

  /**
   * A copy of {@code update} with {@code keyId} and {@code signature} set by {@code keys}; the
   * update itself is not changed.
   *
   * @throws IllegalArgumentException if the keys are not Ed25519 or a field is null
   */
  public static NormParamsUpdate sign(NormParamsUpdate update, KeyPair keys) {
    final NormParamsUpdate copy = NormParamsUpdate.newBuilder(update)
        .setKeyId(keyId(keys.getPublic())).setSignature(UNSIGNED).build();
    copy.setSignature(ByteBuffer.wrap(signature(canonicalBytes(copy), keys.getPrivate())));
    return copy;
  }

  /** A signed copy of {@code update}, as {@link #sign(NormParamsUpdate, KeyPair)}. */
  public static MemoryUpdate sign(MemoryUpdate update, KeyPair keys) {
    final MemoryUpdate copy = MemoryUpdate.newBuilder(update)
        .setKeyId(keyId(keys.getPublic())).setSignature(UNSIGNED).build();
    copy.setSignature(ByteBuffer.wrap(signature(canonicalBytes(copy), keys.getPrivate())));
    return copy;
  }

  /**
   * Whether {@code update} was signed by the owner of {@code key} and not changed since.
   *
   * @throws IllegalArgumentException if {@code key} is not an Ed25519 public key
   */
  public static Verification verify(NormParamsUpdate update, PublicKey key) {
    return verify(update.getKeyId(), update.getSignature(), key,
        () -> canonicalBytes(update));
  }

  /** Whether {@code update} was signed by the owner of {@code key}, as for parameters. */
  public static Verification verify(MemoryUpdate update, PublicKey key) {
    return verify(update.getKeyId(), update.getSignature(), key,
        () -> canonicalBytes(update));
  }

  /**
   * The id of a public key: the first 16 lower-case hex digits (8 bytes) of the SHA-256 of its
   * X.509 {@code SubjectPublicKeyInfo} encoding, the bytes inside its PEM file.
   */
  public static String keyId(PublicKey key) {
    Objects.requireNonNull(key, "key");
    try {
      final byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  private static Verification verify(String keyId, ByteBuffer signature, PublicKey key,
      Supplier<byte[]> canonical) {
    Objects.requireNonNull(key, "key");
    if (signature == null || !signature.hasRemaining() || keyId == null || keyId.isEmpty()) {
      return Verification.UNSIGNED;
    }
    if (!keyId.equals(keyId(key))) {
      return Verification.KEY_MISMATCH;
    }
    if (signature.remaining() != SIGNATURE_LENGTH) {
      return Verification.INVALID_SIGNATURE;
    }
    final byte[] bytes = new byte[SIGNATURE_LENGTH];
    signature.duplicate().get(bytes);
    try {
      final Signature verifier = ed25519();
      verifier.initVerify(key);
      verifier.update(canonical.get());
      return verifier.verify(bytes) ? Verification.VALID : Verification.INVALID_SIGNATURE;
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm(), e);
    } catch (SignatureException e) {
      return Verification.INVALID_SIGNATURE;
    }
  }

  private static byte[] signature(byte[] message, PrivateKey key) {
    try {
      final Signature signer = ed25519();
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  private static Signature ed25519() {
    try {
      return Signature.getInstance(ALGORITHM);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM + " (it needs 15 or newer)",
          e);
    }
  }

  private static long millis(String field, Instant instant) {
    if (instant == null) {
      throw new IllegalArgumentException(field + " is null");
    }
    return instant.toEpochMilli();
  }
}
