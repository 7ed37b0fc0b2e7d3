package io.attune.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.LayerParams;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.Tensor;
import io.attune.schemas.serde.RecordType;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class UpdateSignaturesTest {

  private static final KeyPair KEYS = SigningKeys.generate();
  private static final KeyPair OTHER = SigningKeys.generate();
  private static final String[] TENSORS = {"scale", "bias", "mean", "var"};

  @Test
  void aSignedUpdateVerifiesWithItsKey() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);

    assertThat(signed.getKeyId()).isEqualTo(UpdateSignatures.keyId(KEYS.getPublic()));
    assertThat(signed.getSignature().remaining()).isEqualTo(64);
    assertThat(UpdateSignatures.verify(signed, KEYS.getPublic())).isEqualTo(Verification.VALID);
  }

  @Test
  void signingLeavesTheUpdateItselfUnsigned() {
    final NormParamsUpdate update = ExampleRecords.params();

    UpdateSignatures.sign(update, KEYS);

    assertThat(update.getKeyId()).isEmpty();
    assertThat(UpdateSignatures.verify(update, KEYS.getPublic()))
        .isEqualTo(Verification.UNSIGNED);
  }

  @Test
  void aSignatureSurvivesAnAvroRoundTrip() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);
    final NormParamsUpdate received = RecordType.NORM_PARAMS_UPDATE.codec()
        .decode(RecordType.NORM_PARAMS_UPDATE.codec().encode(signed));

    assertThat(UpdateSignatures.verify(received, KEYS.getPublic())).isEqualTo(Verification.VALID);
  }

  @Test
  void aSingleFlippedBitInAnyTensorOfAnyLayerFailsVerification() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);
    for (int layer = 0; layer < signed.getLayers().size(); layer++) {
      for (String tensor : TENSORS) {
        for (int at = 0; at < 8; at++) {
          final NormParamsUpdate tampered = NormParamsUpdate.newBuilder(signed).build();
          final Tensor target = (Tensor) tampered.getLayers().get(layer).get(tensor);
          final ByteBuffer data = target.getData();
          data.put(at, (byte) (data.get(at) ^ 1));

          assertThat(UpdateSignatures.verify(tampered, KEYS.getPublic()))
              .as("layer %d %s byte %d", layer, tensor, at)
              .isEqualTo(Verification.INVALID_SIGNATURE);
        }
      }
    }
  }

  @Test
  void changedMetadataFailsVerification() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);
    final List<Function<NormParamsUpdate.Builder, NormParamsUpdate.Builder>> changes = List.of(
        b -> b.setVersion(8),
        b -> b.setBaseVersion(5),
        b -> b.setCohort("site-4"),
        b -> b.setModel("other"),
        b -> b.setMethod("eata"),
        b -> b.setKind(io.attune.schemas.UpdateKind.SOURCE),
        b -> b.setSamples(449),
        b -> b.setMeanEntropy(0.76f),
        b -> b.setCreatedAt(ExampleRecords.TIME.plusMillis(1)),
        b -> b.setLayers(List.of(signed.getLayers().get(0), signed.getLayers().get(2),
            signed.getLayers().get(1))),
        b -> b.setLayers(signed.getLayers().subList(0, 2)),
        b -> b.setLayers(List.of(renamed(signed.getLayers().get(0), "bn9"),
            signed.getLayers().get(1), signed.getLayers().get(2))),
        b -> b.setLayers(List.of(reshaped(signed.getLayers().get(0)),
            signed.getLayers().get(1), signed.getLayers().get(2))));

    for (int i = 0; i < changes.size(); i++) {
      final NormParamsUpdate changed = changes.get(i).apply(NormParamsUpdate.newBuilder(signed))
          .build();
      assertThat(UpdateSignatures.verify(changed, KEYS.getPublic())).as("change %d", i)
          .isEqualTo(Verification.INVALID_SIGNATURE);
    }
  }

  @Test
  void anotherKeyIsAKeyMismatchAndAForgedKeyIdAnInvalidSignature() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);
    final NormParamsUpdate byOther = UpdateSignatures.sign(ExampleRecords.params(), OTHER);
    final NormParamsUpdate forged = NormParamsUpdate.newBuilder(byOther)
        .setKeyId(signed.getKeyId()).build();

    assertThat(UpdateSignatures.verify(signed, OTHER.getPublic()))
        .isEqualTo(Verification.KEY_MISMATCH);
    assertThat(UpdateSignatures.verify(forged, KEYS.getPublic()))
        .isEqualTo(Verification.INVALID_SIGNATURE);
    final NormParamsUpdate shortSignature = NormParamsUpdate.newBuilder(signed)
        .setSignature(ByteBuffer.wrap(new byte[63])).build();
    assertThat(UpdateSignatures.verify(shortSignature, KEYS.getPublic()))
        .isEqualTo(Verification.INVALID_SIGNATURE);
  }

  @Test
  void memoryUpdatesSignAndVerifyAndDetectAChangedLabelOrFeature() {
    final MemoryUpdate signed = UpdateSignatures.sign(ExampleRecords.memory(), KEYS);
    final MemoryUpdate relabelled = MemoryUpdate.newBuilder(signed).setLabels(List.of(0, 8))
        .build();
    final MemoryUpdate moved = MemoryUpdate.newBuilder(signed).build();
    moved.getFeatures().getData().put(3, (byte) 1);

    assertThat(UpdateSignatures.verify(signed, KEYS.getPublic())).isEqualTo(Verification.VALID);
    assertThat(UpdateSignatures.verify(relabelled, KEYS.getPublic()))
        .isEqualTo(Verification.INVALID_SIGNATURE);
    assertThat(UpdateSignatures.verify(moved, KEYS.getPublic()))
        .isEqualTo(Verification.INVALID_SIGNATURE);
    assertThat(UpdateSignatures.verify(signed, OTHER.getPublic()))
        .isEqualTo(Verification.KEY_MISMATCH);
  }

  @Test
  void canonicalBytesFollowTheDocumentedLayout() {
    final MemoryUpdate update = MemoryUpdate.newBuilder(ExampleRecords.memory())
        .setKeyId("k").setModel("m").setCohort("c").setVersion(2).setMethod("t3a").build();

    final String hex = HexFormat.of().formatHex(UpdateSignatures.canonicalBytes(update));

    assertThat(hex).isEqualTo(""
        + "00000010" + HexFormat.of().formatHex("attune/memory/v1".getBytes())
        + "00000001" + "6b" // keyId "k"
        + "00000001" + "6d" // model "m"
        + "00000001" + "63" // cohort "c"
        + "0000000000000002" // version
        + "0000000a" + HexFormat.of().formatHex("PROTOTYPES".getBytes())
        + "00000003" + "743361" // method "t3a"
        + "00000007" + HexFormat.of().formatHex("FLOAT32".getBytes()) // features.dtype
        + "00000002" + "00000002" + "00000002" // rank 2, [2, 2]
        + "00000010" + "0000803f" + "00000040" + "00004040" + "00008040" // 1, 2, 3, 4 LE
        + "00000002" + "00000000" + "00000009" // labels [0, 9]
        + String.format("%016x", ExampleRecords.TIME.toEpochMilli()));
  }

  @Test
  void aKnnMemoryIsSignedUnderTheSecondLayoutWithItsVoteAndSourceAppended() {
    final MemoryUpdate update = MemoryUpdate.newBuilder(ExampleRecords.knnMemory())
        .setKeyId("k").setModel("m").setCohort("c").setVersion(2).setK(7)
        .setTemperature(0.5f).setSourceMemorySha256("0f").build();

    final String hex = HexFormat.of().formatHex(UpdateSignatures.canonicalBytes(update));

    assertThat(UpdateSignatures.carriesKnnFields(update)).isTrue();
    assertThat(hex).startsWith("00000010"
        + HexFormat.of().formatHex("attune/memory/v2".getBytes()));
    assertThat(hex).endsWith(String.format("%016x", ExampleRecords.TIME.toEpochMilli())
        + "00000007" // k
        + "3f000000" // temperature 0.5
        + "00000002" + "3066"); // sourceMemorySha256 "0f"
  }

  @Test
  void aTamperedKTemperatureOrSourceReferenceFailsVerification() {
    final MemoryUpdate signed = UpdateSignatures.sign(ExampleRecords.knnMemory(), KEYS);

    assertThat(UpdateSignatures.verify(signed, KEYS.getPublic())).isEqualTo(Verification.VALID);
    for (MemoryUpdate tampered : List.of(
        MemoryUpdate.newBuilder(signed).setK(1).build(),
        MemoryUpdate.newBuilder(signed).setTemperature(1f).build(),
        MemoryUpdate.newBuilder(signed).setSourceMemorySha256("cd".repeat(32)).build(),
        // back to the defaults: the version-1 layout, which this signature does not cover
        MemoryUpdate.newBuilder(signed).setK(0).setTemperature(0f)
            .setSourceMemorySha256("").build())) {
      assertThat(UpdateSignatures.verify(tampered, KEYS.getPublic()))
          .as("k %d, temperature %s, source %s", tampered.getK(), tampered.getTemperature(),
              tampered.getSourceMemorySha256())
          .isEqualTo(Verification.INVALID_SIGNATURE);
    }
    // and a version-1 signature does not cover a k added afterwards
    final MemoryUpdate prototypes = UpdateSignatures.sign(ExampleRecords.memory(), KEYS);
    assertThat(UpdateSignatures.verify(MemoryUpdate.newBuilder(prototypes).setK(3).build(),
        KEYS.getPublic())).isEqualTo(Verification.INVALID_SIGNATURE);
  }

  @Test
  void theSignatureDoesNotCoverItselfButCoversTheKeyId() {
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(), KEYS);
    final byte[] before = UpdateSignatures.canonicalBytes(signed);

    signed.setSignature(ByteBuffer.wrap(new byte[64]));

    assertThat(UpdateSignatures.canonicalBytes(signed)).isEqualTo(before);
    signed.setKeyId("0000000000000000");
    assertThat(UpdateSignatures.canonicalBytes(signed)).isNotEqualTo(before);
  }

  @Test
  void keyIdIsTheFirstSixteenHexDigitsOfTheSha256OfTheX509Encoding() throws Exception {
    final byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(KEYS.getPublic().getEncoded());

    assertThat(UpdateSignatures.keyId(KEYS.getPublic()))
        .isEqualTo(HexFormat.of().formatHex(digest).substring(0, 16))
        .matches("[0-9a-f]{16}");
  }

  @Test
  void aKeyOfAnotherAlgorithmIsRefusedNamingIt() throws Exception {
    final KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();

    assertThatThrownBy(() -> UpdateSignatures.sign(ExampleRecords.params(), rsa))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an Ed25519 private key: RSA");
  }

  @Test
  void aNullFieldIsNamed() {
    final NormParamsUpdate update = ExampleRecords.params();
    update.setMethod(null);

    assertThatThrownBy(() -> UpdateSignatures.canonicalBytes(update))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("NormParamsUpdate.method is null");
  }

  private static LayerParams renamed(LayerParams layer, String name) {
    return LayerParams.newBuilder(layer).setLayer(name).build();
  }

  /** The same bytes under another shape: [1, 2] instead of [2]. */
  private static LayerParams reshaped(LayerParams layer) {
    final Tensor scale = Tensor.newBuilder(layer.getScale()).setShape(List.of(1, 2)).build();
    return LayerParams.newBuilder(layer).setScale(scale).build();
  }
}
