package io.attune.topology.processor;

import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.serde.RecordType;
import io.attune.schemas.signing.UpdateSignatures;
import java.security.KeyPair;

/**
 * Avro single-object encoding for every record (older writer schemas of the traffic resolve to
 * the current one), and Ed25519 signatures on parameter updates.
 */
public final class SignedRecordCodecs implements RecordCodecs {

  private final KeyPair signingKeys;

  public SignedRecordCodecs(KeyPair signingKeys) {
    this.signingKeys = signingKeys;
  }

  @Override
  public InferenceSample decodeSample(byte[] value) {
    return RecordType.INFERENCE_SAMPLE.codec().decode(value);
  }

  @Override
  public byte[] encode(AdaptedPrediction prediction) {
    return RecordType.ADAPTED_PREDICTION.codec().encode(prediction);
  }

  @Override
  public byte[] encode(NormParamsUpdate update) {
    return RecordType.NORM_PARAMS_UPDATE.codec().encode(update);
  }

  @Override
  public byte[] encode(DeadLetter deadLetter) {
    return RecordType.DEAD_LETTER.codec().encode(deadLetter);
  }

  @Override
  public byte[] encode(DriftAlert alert) {
    return RecordType.DRIFT_ALERT.codec().encode(alert);
  }

  @Override
  public byte[] encode(MemoryUpdate update) {
    return RecordType.MEMORY_UPDATE.codec().encode(update);
  }

  @Override
  public NormParamsUpdate sign(NormParamsUpdate update) {
    return UpdateSignatures.sign(update, signingKeys);
  }

  @Override
  public MemoryUpdate sign(MemoryUpdate update) {
    return UpdateSignatures.sign(update, signingKeys);
  }
}
