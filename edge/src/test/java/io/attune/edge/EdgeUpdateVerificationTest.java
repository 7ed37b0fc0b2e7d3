package io.attune.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.LayerParams;
import io.attune.schemas.NormParamsUpdate;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EdgeUpdateVerificationTest {

  private static final ModelBundle BUNDLE = ReferenceBundle.get();

  private EdgeModel model;

  @BeforeEach
  void open() {
    model = EdgeModel.open(BUNDLE, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
  }

  @AfterEach
  void close() {
    model.close();
  }

  private static NormParamsUpdate signed(long version) {
    return Updates.signed(BUNDLE, version, Updates.perturbed(BUNDLE, version));
  }

  private void assertRejected(NormParamsUpdate update, RejectReason reason) {
    ParamsSnapshot before = model.snapshot();
    UpdateResult result = model.apply(update);

    assertThat(result.accepted()).isFalse();
    assertThat(result.reason()).contains(reason);
    assertThat(model.snapshot()).isSameAs(before);
    assertThat(model.stats().rejected().get(reason)).isEqualTo(1);
  }

  @Test
  void startsFromTheSourceParametersAtVersionZero() {
    assertThat(model.version()).isZero();
    Map<String, float[]> source = BUNDLE.sourceParameters();
    assertThat(model.snapshot().parameters()).containsOnlyKeys(source.keySet());
    source.forEach((name, v) -> assertThat(model.snapshot().parameters().get(name)).isEqualTo(v));
  }

  @Test
  void aSignedUpdateOfThisCohortIsAppliedWhole() {
    Map<String, float[]> params = Updates.perturbed(BUNDLE, 1);

    UpdateResult result = model.apply(Updates.signed(BUNDLE, 1, params));

    assertThat(result.accepted()).isTrue();
    assertThat(model.version()).isEqualTo(1);
    params.forEach((name, v) -> assertThat(model.snapshot().parameters().get(name)).isEqualTo(v));
    assertThat(model.stats().applied()).isEqualTo(1);
    assertThat(model.stats().rejectedTotal()).isZero();
  }

  @Test
  void aTamperedByteIsRejectedAsABadSignature() {
    NormParamsUpdate update = signed(1);
    LayerParams first = update.getLayers().get(0);
    ByteBuffer data = ByteBuffer.allocate(first.getBias().getData().remaining());
    data.put(first.getBias().getData().duplicate()).flip();
    data.put(5, (byte) (data.get(5) ^ 0x01));
    List<LayerParams> layers = new ArrayList<>(update.getLayers());
    layers.set(0, LayerParams.newBuilder(first)
        .setBias(io.attune.schemas.Tensor.newBuilder(first.getBias()).setData(data).build())
        .build());

    assertRejected(NormParamsUpdate.newBuilder(update).setLayers(layers).build(),
        RejectReason.BAD_SIGNATURE);
  }

  @Test
  void aTamperedVersionIsRejectedAsABadSignature() {
    assertRejected(NormParamsUpdate.newBuilder(signed(1)).setVersion(9).build(),
        RejectReason.BAD_SIGNATURE);
  }

  @Test
  void anUpdateSignedWithAnotherKeyIsRejected() {
    NormParamsUpdate update = Updates.sign(Updates.unsigned(BUNDLE, Updates.MODEL,
        Updates.COHORT, 1, Updates.perturbed(BUNDLE, 1)), Updates.OTHER_KEYS);

    assertRejected(update, RejectReason.UNKNOWN_KEY);
  }

  @Test
  void anotherKeysSignatureUnderTheTrustedKeyIdIsRejectedAsABadSignature() {
    NormParamsUpdate forged = Updates.sign(Updates.unsigned(BUNDLE, Updates.MODEL,
        Updates.COHORT, 1, Updates.perturbed(BUNDLE, 1)), Updates.OTHER_KEYS);
    forged = NormParamsUpdate.newBuilder(forged).setKeyId(signed(1).getKeyId()).build();

    assertRejected(forged, RejectReason.BAD_SIGNATURE);
  }

  @Test
  void anUnsignedUpdateIsRejected() {
    assertRejected(Updates.unsigned(BUNDLE, Updates.MODEL, Updates.COHORT, 1,
        Updates.perturbed(BUNDLE, 1)), RejectReason.UNSIGNED);
  }

  @Test
  void aReplayedOrOlderVersionIsRejectedAsStale() {
    NormParamsUpdate v1 = signed(1);
    NormParamsUpdate v2 = signed(2);
    assertThat(model.apply(v2).accepted()).isTrue();

    assertThat(model.apply(v1).reason()).contains(RejectReason.STALE);
    assertThat(model.apply(v2).reason()).contains(RejectReason.STALE);
    assertThat(model.version()).isEqualTo(2);
    assertThat(model.stats().rejected().get(RejectReason.STALE)).isEqualTo(2);
  }

  @Test
  void anotherCohortsUpdateIsRejected() {
    assertRejected(Updates.sign(Updates.unsigned(BUNDLE, Updates.MODEL, "site-b", 1,
        Updates.perturbed(BUNDLE, 1)), Updates.KEYS), RejectReason.WRONG_COHORT);
  }

  @Test
  void anotherModelsUpdateIsRejected() {
    assertRejected(Updates.sign(Updates.unsigned(BUNDLE, "other-model", Updates.COHORT, 1,
        Updates.perturbed(BUNDLE, 1)), Updates.KEYS), RejectReason.WRONG_MODEL);
  }

  @Test
  void anUpdateMissingALayerIsRejected() {
    NormParamsUpdate full = Updates.unsigned(BUNDLE, Updates.MODEL, Updates.COHORT, 1,
        Updates.perturbed(BUNDLE, 1));
    NormParamsUpdate missing = NormParamsUpdate.newBuilder(full)
        .setLayers(full.getLayers().subList(1, full.getLayers().size())).build();

    assertRejected(Updates.sign(missing, Updates.KEYS),
        RejectReason.LAYOUT_MISMATCH);
  }

  @Test
  void aTensorOfTheWrongShapeIsRejected() {
    NormParamsUpdate full = Updates.unsigned(BUNDLE, Updates.MODEL, Updates.COHORT, 1,
        Updates.perturbed(BUNDLE, 1));
    List<LayerParams> layers = new ArrayList<>(full.getLayers());
    LayerParams first = layers.get(0);
    layers.set(0, LayerParams.newBuilder(first)
        .setMean(io.attune.edge.internal.Float32.tensor(new float[] {1, 2, 3})).build());

    UpdateResult result = model.apply(Updates.sign(NormParamsUpdate.newBuilder(full)
        .setLayers(layers).build(), Updates.KEYS));

    assertThat(result.reason()).contains(RejectReason.LAYOUT_MISMATCH);
    assertThat(result.detail()).contains(first.getLayer()).contains("mean").contains("[3]");
  }

  @Test
  void aNanParameterIsRejected() {
    Map<String, float[]> params = Updates.perturbed(BUNDLE, 1);
    params.values().iterator().next()[0] = Float.NaN;

    assertRejected(Updates.signed(BUNDLE, 1, params), RejectReason.NON_FINITE);
  }

  @Test
  void rejectionsAreCountedByReasonAndLeaveTheHeldVersion() {
    model.apply(signed(3));
    model.apply(signed(2));
    model.apply(Updates.unsigned(BUNDLE, Updates.MODEL, Updates.COHORT, 4,
        Updates.perturbed(BUNDLE, 4)));
    model.apply(NormParamsUpdate.newBuilder(signed(5)).setSamples(1).build());

    EdgeStats stats = model.stats();
    assertThat(stats.heldVersion()).isEqualTo(3);
    assertThat(stats.applied()).isEqualTo(1);
    assertThat(stats.rejected()).containsEntry(RejectReason.STALE, 1L)
        .containsEntry(RejectReason.UNSIGNED, 1L)
        .containsEntry(RejectReason.BAD_SIGNATURE, 1L)
        .containsEntry(RejectReason.WRONG_COHORT, 0L);
    assertThat(stats.rejectedTotal()).isEqualTo(3);
  }
}
