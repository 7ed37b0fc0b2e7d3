package io.attune.topology.processor;

import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.UnaryOperator;

/** Avro single-object encoding for every record, and a given signer for parameter updates. */
public final class AvroRecordCodecs implements RecordCodecs {

  private final UnaryOperator<NormParamsUpdate> signer;

  public AvroRecordCodecs(UnaryOperator<NormParamsUpdate> signer) {
    this.signer = signer;
  }

  @Override
  public InferenceSample decodeSample(byte[] value) {
    try {
      return InferenceSample.fromByteBuffer(ByteBuffer.wrap(value));
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public byte[] encode(AdaptedPrediction prediction) {
    try {
      return bytes(prediction.toByteBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] encode(NormParamsUpdate update) {
    try {
      return bytes(update.toByteBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] encode(DeadLetter deadLetter) {
    try {
      return bytes(deadLetter.toByteBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public NormParamsUpdate sign(NormParamsUpdate update) {
    return signer.apply(update);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
