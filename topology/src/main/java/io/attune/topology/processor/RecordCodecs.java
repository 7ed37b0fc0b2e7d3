package io.attune.topology.processor;

import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;

/**
 * How the processors turn records into bytes and sign parameter and memory updates. The topology's sinks
 * write bytes, so the encoding is chosen once here, not per sink.
 */
public interface RecordCodecs {

  /** @throws RuntimeException when the bytes are not an InferenceSample */
  InferenceSample decodeSample(byte[] value);

  byte[] encode(AdaptedPrediction prediction);

  byte[] encode(NormParamsUpdate update);

  byte[] encode(DeadLetter deadLetter);

  byte[] encode(DriftAlert alert);

  byte[] encode(MemoryUpdate update);

  /** The update with its key id and Ed25519 signature set. */
  NormParamsUpdate sign(NormParamsUpdate update);

  /** The memory with its key id and Ed25519 signature set. */
  MemoryUpdate sign(MemoryUpdate update);
}
